"""End to end: the real aws CLI (awscli from the package index) and boto3 run the README's
quickstart against iamd's HTTP endpoint, unchanged but for `--endpoint-url`."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import ACCOUNT, Iamd

pytestmark = pytest.mark.e2e

READ_ORDERS = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sqs:ReceiveMessage", "Resource": "arn:aws:sqs:*:*:orders"}]}


def _aws_cli() -> str:
    found = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if found is None:
        pytest.skip("the aws CLI is not installed (it is a dev dependency: make installs it)")
    return found


async def _aws(iamd: Iamd, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    assert iamd.running.http is not None
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
           "AWS_SHARED_CREDENTIALS_FILE": str(iamd.data_dir / "root-credentials"),
           "AWS_CONFIG_FILE": str(tmp_path / "no-config"), "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1"}
    process = await asyncio.create_subprocess_exec(
        _aws_cli(), "--endpoint-url", f"http://127.0.0.1:{iamd.running.http.port}", *args,
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def _ok(iamd: Iamd, tmp_path: Path, *args: str) -> Any:
    code, out, err = await _aws(iamd, tmp_path, *args)
    assert code == 0, err
    return json.loads(out) if out.strip().startswith("{") else out


async def test_the_readme_quickstart_with_the_aws_cli(iamd_http: Iamd, tmp_path: Path) -> None:
    iamd, cwd = iamd_http, tmp_path
    who = await _ok(iamd, cwd, "sts", "get-caller-identity")
    assert who["Arn"] == f"arn:aws:iam::{ACCOUNT}:root"
    user = (await _ok(iamd, cwd, "iam", "create-user", "--user-name", "alice"))["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/alice"
    (cwd / "read-orders.json").write_text(json.dumps(READ_ORDERS))
    policy = (await _ok(iamd, cwd, "iam", "create-policy", "--policy-name", "ReadOrders",
                        "--policy-document", "file://read-orders.json"))["Policy"]
    await _ok(iamd, cwd, "iam", "attach-user-policy", "--user-name", "alice", "--policy-arn", policy["Arn"])
    attached = await _ok(iamd, cwd, "iam", "list-attached-user-policies", "--user-name", "alice")
    assert attached["AttachedPolicies"] == [{"PolicyName": "ReadOrders", "PolicyArn": policy["Arn"]}]
    table = await _ok(iamd, cwd, "iam", "list-users", "--output", "table", "--query", "Users[].UserName")
    assert "alice" in table

    # The auditor's side: CloudTrail's lookup-events finds the call by AWS's name for it.
    await iamd.running.audit.flush()
    events = await _ok(iamd, cwd, "cloudtrail", "lookup-events", "--lookup-attributes",
                       "AttributeKey=EventName,AttributeValue=AttachUserPolicy")
    [event] = events["Events"]
    assert json.loads(event["CloudTrailEvent"])["requestParameters"] == {"userName": "alice",
                                                                         "policyArn": policy["Arn"]}

    code, _, err = await _aws(iamd, cwd, "iam", "get-user", "--user-name", "nobody")
    assert code in (254, 255) and "(NoSuchEntity)" in err, err  # a service error: v2 exits 254, v1 255


async def test_boto3_with_endpoint_url(iamd_http: Iamd) -> None:
    boto3 = pytest.importorskip("boto3")
    assert iamd_http.running.http is not None
    session = boto3.session.Session(aws_access_key_id=iamd_http.root.access_key_id,
                                    aws_secret_access_key=iamd_http.root.secret_access_key, region_name="us-east-1")
    iam = session.client("iam", endpoint_url=f"http://127.0.0.1:{iamd_http.running.http.port}")
    await asyncio.to_thread(iam.create_user, UserName="bob")
    paginator = iam.get_paginator("list_users")
    pages = await asyncio.to_thread(lambda: list(paginator.paginate(PaginationConfig={"PageSize": 1})))
    assert [u["UserName"] for page in pages for u in page["Users"]] == ["bob"]


async def test_access_analyzer_validate_policy_with_the_aws_cli_and_boto3(iamd_http: Iamd, tmp_path: Path) -> None:
    """`aws accessanalyzer validate-policy` against iamd: Access Analyzer's REST-JSON protocol."""
    document = tmp_path / "p.json"
    document.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:GetObjekt", "iam:PassRole"], "Resource": "*"}]}, indent=2))
    found = await _ok(iamd_http, tmp_path, "accessanalyzer", "validate-policy", "--policy-document",
                      f"file://{document}", "--policy-type", "IDENTITY_POLICY")
    codes = {f["issueCode"] for f in found["findings"]}
    assert {"INVALID_ACTION", "PASS_ROLE_WITH_STAR_IN_RESOURCE"} <= codes
    invalid = next(f for f in found["findings"] if f["issueCode"] == "INVALID_ACTION")
    assert invalid["findingType"] == "ERROR" and "s3:GetObjekt" in invalid["findingDetails"]
    location = invalid["locations"][0]
    assert location["path"] == [{"value": "Statement"}, {"index": 0}, {"value": "Action"}, {"index": 0}]
    assert location["span"]["start"]["line"] == 7 and set(location["span"]["end"]) == {"line", "column", "offset"}

    code, _, err = await _aws(iamd_http, tmp_path, "accessanalyzer", "validate-policy", "--policy-document",
                              f"file://{document}", "--policy-type", "NOT_A_TYPE")
    assert code != 0 and "(ValidationException)" in err and "NOT_A_TYPE" in err, (code, err)

    boto3 = pytest.importorskip("boto3")
    assert iamd_http.running.http is not None
    session = boto3.session.Session(aws_access_key_id=iamd_http.root.access_key_id,
                                    aws_secret_access_key=iamd_http.root.secret_access_key, region_name="us-east-1")
    analyzer = session.client("accessanalyzer", endpoint_url=f"http://127.0.0.1:{iamd_http.running.http.port}")
    page = await asyncio.to_thread(analyzer.validate_policy, policyDocument=document.read_text(),
                                   policyType="IDENTITY_POLICY", maxResults=1)
    assert len(page["findings"]) == 1 and page["nextToken"]
    rest = await asyncio.to_thread(analyzer.validate_policy, policyDocument=document.read_text(),
                                   policyType="IDENTITY_POLICY", nextToken=page["nextToken"])
    assert len(page["findings"]) + len(rest["findings"]) == len(found["findings"]) and "nextToken" not in rest


async def test_organizations_policies_and_tree_with_boto3(iamd_http: Iamd) -> None:
    """Organizations over JSON 1.1: the policy operations in AWS's shapes, the tree's reads, and
    CloudTrail's names in the audit trail for calls made either way."""
    boto3 = pytest.importorskip("boto3")
    from iamd.v1 import organizations_pb2 as opb
    from iamd.v1 import organizations_pb2_grpc

    grpc_org = organizations_pb2_grpc.OrganizationsServiceStub(iamd_http.channel)
    created = await grpc_org.CreateOrganization(opb.CreateOrganizationRequest())
    assert iamd_http.running.http is not None
    session = boto3.session.Session(aws_access_key_id=iamd_http.root.access_key_id,
                                    aws_secret_access_key=iamd_http.root.secret_access_key, region_name="us-east-1")
    org = session.client("organizations", endpoint_url=f"http://127.0.0.1:{iamd_http.running.http.port}")
    content = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]})
    policy = (await asyncio.to_thread(org.create_policy, Content=content, Description="keep the data",
                                      Name="NoBucketDeletes", Type="SERVICE_CONTROL_POLICY"))["Policy"]
    summary = policy["PolicySummary"]
    assert (summary["Name"], summary["Description"], summary["AwsManaged"], policy["Content"]) == \
        ("NoBucketDeletes", "keep the data", False, content)
    [root] = (await asyncio.to_thread(org.list_roots))["Roots"]
    assert root["Id"] == created.root_id
    await asyncio.to_thread(org.enable_policy_type, RootId=root["Id"], PolicyType="SERVICE_CONTROL_POLICY")
    await asyncio.to_thread(org.attach_policy, PolicyId=summary["Id"], TargetId=root["Id"])
    targets = (await asyncio.to_thread(org.list_targets_for_policy, PolicyId=summary["Id"]))["Targets"]
    assert [(t["TargetId"], t["Type"]) for t in targets] == [(root["Id"], "ROOT")]
    attached = (await asyncio.to_thread(org.list_policies_for_target, TargetId=root["Id"],
                                        Filter="SERVICE_CONTROL_POLICY"))["Policies"]
    assert {p["Id"] for p in attached} == {"p-FullAWSAccess", summary["Id"]}
    described = (await asyncio.to_thread(org.describe_policy, PolicyId=summary["Id"]))["Policy"]
    assert described["PolicySummary"]["Arn"] == summary["Arn"]
    await asyncio.to_thread(org.detach_policy, PolicyId=summary["Id"], TargetId=root["Id"])
    await asyncio.to_thread(org.delete_policy, PolicyId=summary["Id"])
    with pytest.raises(org.exceptions.PolicyNotFoundException):
        await asyncio.to_thread(org.describe_policy, PolicyId=summary["Id"])

    # CloudTrail's names, whichever transport: AWS's CreatePolicy from organizations.amazonaws.com.
    from iamd.v1 import audit_pb2, audit_pb2_grpc
    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(
        lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="CreatePolicy")]
    ))).events
    records = [json.loads(e.cloud_trail_event) for e in events]
    assert any(r["eventSource"] == "organizations.amazonaws.com"
               and r["requestParameters"].get("name") == "NoBucketDeletes" for r in records), records


async def test_organizations_lifecycle_accounts_and_paging_with_boto3(iamd_http: Iamd, tmp_path: Path) -> None:
    """CreateOrganization, DescribeOrganization, CreateAccount with its asynchronous status,
    CreateOrganizationalUnit, accounts' ARNs and joining, and NextToken/MaxResults paging, through
    boto3 (and one auto-paginating aws CLI call), with Organizations' own exception names."""
    import re

    from botocore.exceptions import ClientError

    from .test_aws_query import _client, _refused

    org = _client(iamd_http, "organizations")

    def call(method: Any, **kwargs: Any) -> Any:
        return asyncio.to_thread(method, **kwargs)

    await _refused(org.describe_organization, "AWSOrganizationsNotInUseException", 400)
    organization = (await call(org.create_organization, FeatureSet="ALL"))["Organization"]
    org_id = organization["Id"]
    assert re.fullmatch(r"o-[a-z0-9]{10,32}", org_id)
    assert organization == {
        "Id": org_id, "Arn": f"arn:aws:organizations::{ACCOUNT}:organization/{org_id}", "FeatureSet": "ALL",
        "MasterAccountId": ACCOUNT, "MasterAccountArn": f"arn:aws:organizations::{ACCOUNT}:account/{org_id}/{ACCOUNT}",
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}]}  # SCPs only, as AWS
    assert (await call(org.describe_organization))["Organization"] == organization
    await _refused(org.create_organization, "AlreadyInOrganizationException", 400)
    [root] = (await call(org.list_roots))["Roots"]
    assert root["PolicyTypes"] == []  # none enabled at a new root: EnablePolicyType enables them

    # CreateAccount answers IN_PROGRESS, as AWS; the status then tells SUCCEEDED with the account.
    status = (await call(org.create_account, Email="dev@example.com", AccountName="dev"))["CreateAccountStatus"]
    assert re.fullmatch(r"car-[a-z0-9]{8,32}", status["Id"])
    assert (status["State"], status["AccountName"], "AccountId" in status) == ("IN_PROGRESS", "dev", False)
    done = (await call(org.describe_create_account_status,
                       CreateAccountRequestId=status["Id"]))["CreateAccountStatus"]
    assert done["State"] == "SUCCEEDED" and re.fullmatch(r"\d{12}", done["AccountId"])
    assert done["CompletedTimestamp"] >= done["RequestedTimestamp"]
    dev = done["AccountId"]
    account = (await call(org.describe_account, AccountId=dev))["Account"]
    assert {k: v for k, v in account.items() if k != "JoinedTimestamp"} == {
        "Id": dev, "Arn": f"arn:aws:organizations::{ACCOUNT}:account/{org_id}/{dev}", "Email": "dev@example.com",
        "Name": "dev", "Status": "ACTIVE", "State": "ACTIVE", "JoinedMethod": "CREATED"}
    assert account["JoinedTimestamp"].tzinfo is not None

    # An email already in use: the request fails as AWS reports it, in its status.
    again = (await call(org.create_account, Email="DEV@example.com", AccountName="dev2"))["CreateAccountStatus"]
    failed = (await call(org.describe_create_account_status,
                         CreateAccountRequestId=again["Id"]))["CreateAccountStatus"]
    assert (failed["State"], failed["FailureReason"], "AccountId" in failed) == ("FAILED", "EMAIL_ALREADY_EXISTS", False)
    await _refused(org.describe_create_account_status, "CreateAccountStatusNotFoundException", 400,
                   CreateAccountRequestId="car-0123456789abcdef")
    listed = (await call(org.list_create_account_status, States=["FAILED"]))["CreateAccountStatuses"]
    assert [s["Id"] for s in listed] == [again["Id"]]

    ou = (await call(org.create_organizational_unit, ParentId=root["Id"], Name="eng"))["OrganizationalUnit"]
    assert re.fullmatch(rf"ou-{root['Id'][2:]}-[a-z0-9]{{8,32}}", ou["Id"]) and ou["Name"] == "eng"
    assert ou["Arn"] == f"arn:aws:organizations::{ACCOUNT}:ou/{org_id}/{ou['Id']}"
    await _refused(org.create_organizational_unit, "DuplicateOrganizationalUnitException", 400,
                   ParentId=root["Id"], Name="eng")
    await _refused(org.create_organizational_unit, "ParentNotFoundException", 400, ParentId="ou-zzzz-zzzzzzzz",
                   Name="x")
    renamed = (await call(org.update_organizational_unit, OrganizationalUnitId=ou["Id"],
                          Name="platform"))["OrganizationalUnit"]
    assert (renamed["Id"], renamed["Name"], renamed["Arn"]) == (ou["Id"], "platform", ou["Arn"])
    error = (await _refused(org.list_children, "InvalidInputException", 400, ParentId=root["Id"],
                            ChildType="BOGUS")).response
    assert (error["Error"]["Message"], error["Reason"]) == ("You specified an invalid value.", "INVALID_ENUM")

    # Paging: more accounts than a page, every one exactly once, in a stable order.
    for name in ("a1", "a2", "a3"):
        await call(org.create_account, Email=f"{name}@example.com", AccountName=name)
    pages = [page async for page in _pages(org, "list_accounts", PaginationConfig={"PageSize": 2})]
    ids = [a["Id"] for page in pages for a in page["Accounts"]]
    assert [len(p["Accounts"]) for p in pages] == [2, 2, 1] and ids == sorted(ids) and len(set(ids)) == 5
    management = next(a for page in pages for a in page["Accounts"] if a["Id"] == ACCOUNT)
    assert (management["JoinedMethod"], management["Status"]) == ("INVITED", "ACTIVE")
    first = await call(org.list_children, ParentId=root["Id"], ChildType="ACCOUNT", MaxResults=3)
    rest = await call(org.list_children, ParentId=root["Id"], ChildType="ACCOUNT", MaxResults=3,
                      NextToken=first["NextToken"])
    assert [c["Id"] for c in first["Children"] + rest["Children"]] == ids and "NextToken" not in rest
    statuses = [s for page in await asyncio.to_thread(_sync_pages, org, "list_create_account_status",
                                                      PaginationConfig={"PageSize": 1})
                for s in page["CreateAccountStatuses"]]
    assert len(statuses) == 5 and statuses[1]["Id"] == again["Id"]  # oldest first

    # A token is the listing's own: altered, or given to another listing, it is refused as AWS refuses it.
    for method, kwargs in ((org.list_accounts, {"NextToken": first["NextToken"][:-3] + "xyz"}),
                           (org.list_accounts, {"NextToken": "1"}),
                           (org.list_children, {"ParentId": ou["Id"], "ChildType": "ACCOUNT",
                                                "NextToken": first["NextToken"]}),
                           (org.list_roots, {"NextToken": first["NextToken"]})):
        error = (await _refused(method, "InvalidInputException", 400, **kwargs)).response
        assert error["Reason"] == "INVALID_NEXT_TOKEN", error
        assert error["Error"]["Message"].startswith("You specified an invalid value for nextToken.")
    error = (await _refused(org.list_accounts, "InvalidInputException", 400, MaxResults=21)).response
    assert error["Reason"] == "MAX_VALUE_EXCEEDED"

    # UpdatePolicy answers the policy as it now is, as AWS does.
    content = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    created = (await call(org.create_policy, Content=content, Description="", Name="NoS3",
                          Type="SERVICE_CONTROL_POLICY"))["Policy"]["PolicySummary"]
    updated = (await call(org.update_policy, PolicyId=created["Id"], Description="no S3 at all"))["Policy"]
    assert (updated["PolicySummary"]["Description"], updated["Content"]) == ("no S3 at all", content)

    # Authorized and audited like the gRPC call: a user without organizations:CreateAccount is refused.
    iam = _client(iamd_http, "iam")
    await call(iam.create_user, UserName="bob")
    key = (await call(iam.create_access_key, UserName="bob"))["AccessKey"]
    from iamd.client.credentials import Credentials
    bob = _client(iamd_http, "organizations", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    with pytest.raises(ClientError) as caught:
        await call(bob.create_account, Email="b@example.com", AccountName="b")
    assert caught.value.response["Error"]["Code"] == "AccessDeniedException"
    from iamd.v1 import audit_pb2, audit_pb2_grpc
    audit = audit_pb2_grpc.AuditServiceStub(iamd_http.channel)
    events = (await audit.LookupEvents(audit_pb2.LookupEventsRequest(
        lookup_attributes=[audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value="CreateAccount")]
    ))).events
    records = [json.loads(e.cloud_trail_event) for e in events]
    assert {r["eventSource"] for r in records} == {"organizations.amazonaws.com"}
    assert any(r.get("errorCode") == "AccessDenied" or r.get("errorCode") == "AccessDeniedException"
               for r in records), records
    assert any(r["requestParameters"].get("email") == "dev@example.com"
               and r["responseElements"]["createAccountStatus"]["state"] == "IN_PROGRESS" for r in records), records

    # The aws CLI pages by itself through NextToken.
    listed = await _ok(iamd_http, tmp_path, "organizations", "list-accounts", "--page-size", "2")
    assert [a["Id"] for a in listed["Accounts"]] == ids


def _sync_pages(client: Any, operation: str, **kwargs: Any) -> list[Any]:
    return list(client.get_paginator(operation).paginate(**kwargs))


async def _pages(client: Any, operation: str, **kwargs: Any) -> Any:
    for page in await asyncio.to_thread(_sync_pages, client, operation, **kwargs):
        yield page
