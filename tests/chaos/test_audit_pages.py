"""Found by the kill -9 chaos run at make test-chaos size: reading the audit trail back failed.

GetAuditRecords pages were bounded by count only (max_results, default and at most 1000), not by
size: each entry carries the stored record and its CloudTrail rendering, and a record keeps its
call's request bytes (up to 64 KiB). A page of 1,000 ordinary records passed gRPC's default 4 MB
receive limit, and the client got RESOURCE_EXHAUSTED ("Received message larger than max"), as
`iamctl audit export` and `iamctl audit validate --public-key` did (they ask for pages of 1,000).
Pages are now bounded by bytes too; this keeps a default client able to read any page.
"""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from iamd.v1 import audit_pb2
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import identity_pb2 as ipb

from .harness import ACCOUNT, IamdProcess, call

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

BATCHES = 300  # AuthorizeBatch calls of 50 requests: a few KB of record each, > 4 MB in all


async def test_a_page_of_audit_records_fits_a_default_client(tmp_path: Path) -> None:
    server = IamdProcess(tmp_path / "data", tmp_path / "iamd.log")
    try:
        await server.start()
        c = server.clients()
        await c.iam.CreateUser(ipb.CreateUserRequest(user_name="reader"), timeout=20)
        principal = f"arn:aws:iam::{ACCOUNT}:user/reader"
        requests = [apb.AuthorizeRequest(principal_arn=principal, action=f"s3:GetObject{i}",
                                         resource=f"arn:aws:s3:::bucket-{i}/some/key/of/ordinary/length")
                    for i in range(50)]
        for _ in range(BATCHES):
            assert (await call(c.authz.AuthorizeBatch, apb.AuthorizeBatchRequest(requests=requests))).ok
        outcome = await call(c.audit.GetAuditRecords, audit_pb2.GetAuditRecordsRequest(max_results=1000))
        assert outcome.grpc_code != grpc.StatusCode.RESOURCE_EXHAUSTED, outcome.details
        assert outcome.ok, outcome
    finally:
        await server.stop()
