"""Issue 12, review of 5fe74b7: Organizations actions on a root, OU, account or policy are decided
with that resource's own tags as aws:ResourceTag/* (AWS: Organizations' resource types take the
aws:ResourceTag condition key), so that a Deny conditioned on them protects the resource. 5fe74b7
stopped tags registered under such ARNs from standing in, and nothing gave the resource's own."""

from __future__ import annotations

import pytest

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused
from .test_root_access import _user

pytestmark = pytest.mark.e2e

ADMIN_BUT_PROTECTED = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "organizations:*", "Resource": "*"},
    {"Effect": "Deny", "Action": "organizations:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:ResourceTag/protected": "true"}}}]}


async def test_a_deny_on_an_organizations_resources_tag_protects_it(iamd_http: Iamd) -> None:
    org = _client(iamd_http, "organizations")
    await _call(org.create_organization, FeatureSet="ALL")
    [root] = (await _call(org.list_roots))["Roots"]
    guarded = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="guarded",
                           Tags=[{"Key": "protected", "Value": "true"}]))["OrganizationalUnit"]
    plain = (await _call(org.create_organizational_unit, ParentId=root["Id"], Name="plain"))["OrganizationalUnit"]
    operator = _client(iamd_http, "organizations", await _user(iamd_http, "operator", ADMIN_BUT_PROTECTED))

    await _call(operator.update_organizational_unit, OrganizationalUnitId=plain["Id"], Name="plain2")
    await _refused(operator.update_organizational_unit, "AccessDeniedException", 400,
                   OrganizationalUnitId=guarded["Id"], Name="taken")
    await _refused(operator.delete_organizational_unit, "AccessDeniedException", 400,
                   OrganizationalUnitId=guarded["Id"])
    await _refused(operator.untag_resource, "AccessDeniedException", 400, ResourceId=guarded["Id"],
                   TagKeys=["protected"])
    [still] = [ou for ou in (await _call(org.list_organizational_units_for_parent, ParentId=root["Id"]))[
        "OrganizationalUnits"] if ou["Id"] == guarded["Id"]]
    assert still["Name"] == "guarded"
