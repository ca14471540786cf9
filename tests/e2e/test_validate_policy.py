"""ValidatePolicy over real gRPC and through `iamctl accessanalyzer validate-policy`: findings,
refusals naming the field, the IAM action it needs and its CloudTrail record."""

from __future__ import annotations

import json
from pathlib import Path

import grpc
import pytest

from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import authorization_pb2_grpc
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.service.audit.record import render
from iamd.service.eventstore.port import EventFilter
from iamd.service.rpc.gateway import MessageDecoder
from iamd.service.server import SERVICES

from .conftest import ACCOUNT, Iamd
from .helpers import allow, field_violations, refused, user_with_key
from .test_cli import iamctl

pytestmark = pytest.mark.e2e

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["iam:PassRole", "s3:GetObjekt"],
      "Resource": "*"
    }
  ]
}"""


async def test_validate_policy_answers_findings_with_locations(iamd: Iamd) -> None:
    response = await iamd.authz.ValidatePolicy(apb.ValidatePolicyRequest(policy_document=POLICY,
                                                                         policy_type="IDENTITY_POLICY"))
    by_code = {f.issue_code: f for f in response.findings}
    assert set(by_code) == {"PASS_ROLE_WITH_STAR_IN_RESOURCE", "INVALID_ACTION"}
    invalid = by_code["INVALID_ACTION"]
    assert invalid.finding_type == "ERROR"
    assert invalid.finding_details == "The action s3:GetObjekt does not exist. Did you mean s3:GetObject?"
    assert invalid.learn_more_link.endswith("#access-analyzer-reference-policy-checks-error-invalid-action")
    [where] = invalid.locations
    assert [(e.WhichOneof("element"), getattr(e, e.WhichOneof("element"))) for e in where.path] == [
        ("value", "Statement"), ("index", 0), ("value", "Action"), ("index", 1)]
    offset = POLICY.index('"s3:GetObjekt"')
    assert (where.span.start.line, where.span.start.column, where.span.start.offset) == (6, 33, offset)
    assert where.span.end.offset == offset + len('"s3:GetObjekt"')
    assert by_code["PASS_ROLE_WITH_STAR_IN_RESOURCE"].finding_type == "SECURITY_WARNING"
    assert response.next_token == ""

    page = await iamd.authz.ValidatePolicy(apb.ValidatePolicyRequest(
        policy_document=POLICY, policy_type="IDENTITY_POLICY", max_results=1))
    rest = await iamd.authz.ValidatePolicy(apb.ValidatePolicyRequest(
        policy_document=POLICY, policy_type="IDENTITY_POLICY", max_results=1, next_token=page.next_token))
    assert [f.issue_code for f in (*page.findings, *rest.findings)] == [f.issue_code for f in response.findings]
    assert rest.next_token == ""


async def test_a_malformed_request_is_refused_naming_the_field(iamd: Iamd) -> None:
    error = await refused(iamd.authz.ValidatePolicy(apb.ValidatePolicyRequest(policy_document=POLICY,
                                                                              policy_type="IDENTITY")),
                          grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    assert field_violations(error) == ["policyType"]
    error = await refused(iamd.authz.ValidatePolicy(apb.ValidatePolicyRequest(
        policy_document=POLICY, policy_type="IDENTITY_POLICY", validate_policy_resource_type="AWS::S3::Bucket")),
        grpc.StatusCode.INVALID_ARGUMENT, "ValidationError")
    assert field_violations(error) == ["validatePolicyResourceType"]


async def test_it_needs_access_analyzer_validate_policy_and_is_recorded_as_access_analyzers(iamd: Iamd) -> None:
    credentials = await user_with_key(iamd, "author")
    channel = iamd.connect(credentials)
    stub = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    request = apb.ValidatePolicyRequest(policy_document=POLICY, policy_type="IDENTITY_POLICY")
    error = await refused(stub.ValidatePolicy(request), grpc.StatusCode.PERMISSION_DENIED, "AccessDenied")
    assert "access-analyzer:ValidatePolicy" in error.details()
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="author"),
        policy_name="validate", policy_document=allow("access-analyzer:ValidatePolicy")))
    response = await stub.ValidatePolicy(request)
    await channel.close()
    assert len(response.findings) == 2

    await iamd.running.audit.flush()
    decode = MessageDecoder(SERVICES)
    log = [render(e.data, decode) async for e in iamd.running.store.read_all(filter=EventFilter(stream_prefixes=("audit-",)))]
    validations = [r for r in log if r["eventName"] == "ValidatePolicy"]
    assert [r.get("errorCode") for r in validations] == ["AccessDenied", None]
    assert {r["eventSource"] for r in validations} == {"access-analyzer.amazonaws.com"}
    assert all(r["readOnly"] is True and r["responseElements"] is None for r in validations)
    assert validations[1]["userIdentity"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/author"


async def test_iamctl_accessanalyzer_validate_policy(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                                                     tmp_path: Path) -> None:
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    for var in ("IAMD_ACCESS_KEY_ID", "IAMD_SECRET_ACCESS_KEY", "IAMD_SESSION_TOKEN", "IAMD_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    policy = tmp_path / "p.json"
    policy.write_text(POLICY)
    code, out, err = await iamctl(iamd, "accessanalyzer", "validate-policy", "--policy-document", f"file://{policy}",
                                  "--policy-type", "IDENTITY_POLICY")
    assert (code, err) == (0, "")
    output = json.loads(out)
    assert list(output) == ["findings"]
    invalid = next(f for f in output["findings"] if f["issueCode"] == "INVALID_ACTION")
    offset = POLICY.index('"s3:GetObjekt"')
    assert invalid == {
        "findingDetails": "The action s3:GetObjekt does not exist. Did you mean s3:GetObject?",
        "findingType": "ERROR", "issueCode": "INVALID_ACTION",
        "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
                         "#access-analyzer-reference-policy-checks-error-invalid-action",
        "locations": [{"path": [{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 1}],
                       "span": {"end": {"column": 47, "line": 6, "offset": offset + 14},
                                "start": {"column": 33, "line": 6, "offset": offset}}}]}

    code, out, _ = await iamctl(iamd, "accessanalyzer", "validate-policy", "--policy-document", f"file://{policy}",
                                "--policy-type", "IDENTITY_POLICY", "--max-results", "1")
    first = json.loads(out)
    assert code == 0 and len(first["findings"]) == 1 and first["nextToken"]

    code, _, err = await iamctl(iamd, "accessanalyzer", "validate-policy", "--policy-document", POLICY,
                                "--policy-type", "IDENTITY")
    assert code == 254 and "(ValidationError)" in err and "ValidatePolicy" in err and "policyType" in err
