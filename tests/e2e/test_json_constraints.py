"""End to end: the JSON 1.1 services (Organizations, CloudTrail) refuse a member outside its model's
min/max as each service does, after the gate, so the refusal is authenticated and audited. The
operation behind cannot tell `MaxResults: 0` that was sent from a MaxResults left out."""

from __future__ import annotations

import asyncio
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from iamd.v1 import audit_pb2, audit_pb2_grpc

from .conftest import Iamd

pytestmark = pytest.mark.e2e


def _unvalidated(iamd: Iamd, service: str) -> Any:
    assert iamd.running.http is not None
    return botocore.session.get_session().create_client(
        service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{iamd.running.http.port}",
        aws_access_key_id=iamd.root.access_key_id, aws_secret_access_key=iamd.root.secret_access_key,
        config=Config(retries={"max_attempts": 1}, parameter_validation=False))


async def _error(method: Any, **kwargs: Any) -> dict[str, Any]:
    """The error of a refused call, with the Reason botocore puts beside it."""
    with pytest.raises(ClientError) as caught:
        await asyncio.to_thread(method, **kwargs)
    response = caught.value.response
    return {**response["Error"], "Reason": response.get("Reason")}


async def test_organizations_and_cloudtrail_refuse_a_member_outside_its_bounds_as_they_do(iamd_http: Iamd) -> None:
    organizations = _unvalidated(iamd_http, "organizations")
    await asyncio.to_thread(organizations.create_organization, FeatureSet="ALL")
    error = await _error(organizations.list_accounts, MaxResults=0)
    assert (error["Code"], error.get("Reason")) == ("InvalidInputException", "MIN_VALUE_EXCEEDED"), error
    assert error["Message"] == ("1 validation error detected: Value '0' at 'maxResults' failed to satisfy "
                                "constraint: Member must have value greater than or equal to 1")
    error = await _error(organizations.create_organizational_unit, ParentId="r-abcd", Name="")
    assert (error["Code"], error.get("Reason")) == ("InvalidInputException", "MIN_LENGTH_EXCEEDED"), error

    cloudtrail = _unvalidated(iamd_http, "cloudtrail")
    assert (await _error(cloudtrail.lookup_events, MaxResults=0))["Code"] == "InvalidMaxResultsException"
    await iamd_http.running.audit.flush()
    found = await audit_pb2_grpc.AuditServiceStub(iamd_http.channel).LookupEvents(audit_pb2.LookupEventsRequest(
        lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="ListAccounts")]))
    assert len(found.events) == 1, "the refused call is audited as the caller's"
