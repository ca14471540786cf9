"""Access advisor review: regressions found reviewing service/{app,domain}/access_advisor.py."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from iamd.service.app.access_advisor import AccessAdvisor
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import identity_pb2_grpc

from .conftest import ACCOUNT, start_iamd, stop_iamd
from .helpers import allow, refused, user_with_key
from .test_access_advisor import _completed

pytestmark = pytest.mark.e2e


async def test_one_principals_jobs_do_not_evict_anothers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs are bounded, but one principal generating many must drop its own oldest, not another
    principal's job (AWS limits report generation per account, ReportGenerationLimitExceeded; it
    never makes a job another principal just started vanish as NoSuchEntity)."""
    defaults = AccessAdvisor.__init__.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "max_jobs", 10)
    monkeypatch.setitem(defaults, "max_jobs_per_owner", 3)
    iamd = await start_iamd(tmp_path / "data")
    try:
        target = f"arn:aws:iam::{ACCOUNT}:user/flood"
        flood = await user_with_key(iamd, "flood")
        mine = (await iamd.iam.GenerateServiceLastAccessedDetails(
            ipb.GenerateServiceLastAccessedDetailsRequest(arn=target))).job_id
        await _completed(iamd, mine)
        await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="flood"), policy_name="advisor",
            policy_document=allow(["iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails"])))
        channel = iamd.connect(flood)
        try:
            stub = identity_pb2_grpc.IdentityServiceStub(channel)
            theirs = [(await stub.GenerateServiceLastAccessedDetails(
                ipb.GenerateServiceLastAccessedDetailsRequest(arn=target))).job_id for _ in range(12)]
            # The flooder's own oldest went; its latest are kept.
            await refused(stub.GetServiceLastAccessedDetails(ipb.GetServiceLastAccessedDetailsRequest(
                job_id=theirs[0])), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
            assert (await stub.GetServiceLastAccessedDetails(
                ipb.GetServiceLastAccessedDetailsRequest(job_id=theirs[-1]))).job_status
        finally:
            await channel.close()
        # Root's job survives another principal's flood.
        answer = await iamd.iam.GetServiceLastAccessedDetails(ipb.GetServiceLastAccessedDetailsRequest(job_id=mine))
        assert answer.job_status == "COMPLETED"
    finally:
        await stop_iamd(iamd)
