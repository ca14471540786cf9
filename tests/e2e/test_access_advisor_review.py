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


async def test_an_action_the_catalogue_does_not_name_keeps_its_spelling(tmp_path: Path) -> None:
    """ACTION_LEVEL lists an allowed action the catalogue does not name (but was attempted) as
    AWS spells actions (`GetObjectTurbo`), not lower-cased."""
    from iamd.v1 import authorization_pb2 as apb

    iamd = await start_iamd(tmp_path / "data")
    try:
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="newer"))
        await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="newer"), policy_name="s3",
            policy_document=allow("s3:*")))
        await iamd.authz.Authorize(apb.AuthorizeRequest(
            principal_arn=f"arn:aws:iam::{ACCOUNT}:user/newer", action="s3:GetObjectTurbo",
            resource="arn:aws:s3:::b/k"))
        job = (await iamd.iam.GenerateServiceLastAccessedDetails(ipb.GenerateServiceLastAccessedDetailsRequest(
            arn=f"arn:aws:iam::{ACCOUNT}:user/newer", granularity="ACTION_LEVEL"))).job_id
        answer = await _completed(iamd, job)
        s3 = next(s for s in answer.services_last_accessed if s.service_namespace == "s3")
        tried = [a.action_name for a in s3.tracked_actions_last_accessed if a.HasField("last_accessed_time")]
        assert tried == ["GetObjectTurbo"]
    finally:
        await stop_iamd(iamd)


async def test_a_user_created_again_under_a_name_does_not_read_the_old_users_jobs(tmp_path: Path) -> None:
    """AWS: a JobId "must be used by the same role within a session, or by the same user"; a user
    deleted and created again with its name is another user (another unique id) and must not
    read the report (another principal's activity) the old one generated."""
    iamd = await start_iamd(tmp_path / "data")
    user = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="reader")
    try:
        await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="watched"))
        old = await user_with_key(iamd, "reader")
        await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
            target=user, policy_name="advisor",
            policy_document=allow(["iam:GenerateServiceLastAccessedDetails", "iam:GetServiceLastAccessedDetails"])))
        channel = iamd.connect(old)
        try:
            job = (await identity_pb2_grpc.IdentityServiceStub(channel).GenerateServiceLastAccessedDetails(
                ipb.GenerateServiceLastAccessedDetailsRequest(arn=f"arn:aws:iam::{ACCOUNT}:user/watched"))).job_id
        finally:
            await channel.close()
        await iamd.iam.DeleteAccessKey(ipb.DeleteAccessKeyRequest(user_name="reader",
                                                                  access_key_id=old.access_key_id))
        await iamd.iam.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(target=user, policy_name="advisor"))
        await iamd.iam.DeleteUser(ipb.DeleteUserRequest(user_name="reader"))

        new = await user_with_key(iamd, "reader")
        await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
            target=user, policy_name="get", policy_document=allow("iam:GetServiceLastAccessedDetails")))
        channel = iamd.connect(new)
        try:
            await refused(identity_pb2_grpc.IdentityServiceStub(channel).GetServiceLastAccessedDetails(
                ipb.GetServiceLastAccessedDetailsRequest(job_id=job)), grpc.StatusCode.NOT_FOUND, "NoSuchEntity")
        finally:
            await channel.close()
    finally:
        await stop_iamd(iamd)
