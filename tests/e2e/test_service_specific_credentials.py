"""End to end: service-specific credentials (CodeCommit's and Keyspaces' user name and password)
with botocore's IAM client against a real iamd's HTTP endpoint, and over gRPC; AWS's answers and
errors, authorization (with iam:ServiceSpecificCredentialServiceName), the audit record, and the
password nowhere but in the create's and the reset's answers."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from iamd.client.credentials import Credentials
from iamd.service.auth.passwords import verify_password
from iamd.v1 import audit_pb2, audit_pb2_grpc
from iamd.v1 import identity_pb2 as ipb

from .conftest import Iamd
from .test_aws_query import _call, _client, _refused

pytestmark = pytest.mark.e2e


async def _records(iamd: Iamd, name: str) -> list[dict[str, Any]]:
    lookup = audit_pb2_grpc.AuditServiceStub(iamd.channel)
    found = await lookup.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
        audit_pb2.LookupAttribute(attribute_key="EventName", attribute_value=name)]))
    return [json.loads(e.cloud_trail_event) for e in found.events]


def _log(iamd: Iamd) -> str:
    with sqlite3.connect(iamd.data_dir / "events.db") as db:
        return "".join(str(row) for table, in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
                       for row in db.execute(f"SELECT * FROM {table}"))


async def test_service_specific_credentials_as_aws_answers_them(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="jane")
    created = (await _call(iam.create_service_specific_credential, UserName="jane",
                           ServiceName="codecommit.amazonaws.com"))["ServiceSpecificCredential"]
    assert created["ServiceUserName"] == "jane-at-123456789012" and created["Status"] == "Active"
    assert created["ServiceName"] == "codecommit.amazonaws.com" and created["UserName"] == "jane"
    assert created["ServiceSpecificCredentialId"].startswith("ACCA") and len(created["ServiceSpecificCredentialId"]) == 21
    password = created["ServicePassword"]
    assert len(password) == 60 and created["CreateDate"].tzinfo is not None
    credential_id = created["ServiceSpecificCredentialId"]

    # A second for the same service, then the quota of 2 per user and service; another service counts apart.
    await _call(iam.create_service_specific_credential, UserName="jane", ServiceName="codecommit.amazonaws.com")
    await _refused(iam.create_service_specific_credential, "LimitExceeded", 409, UserName="jane",
                   ServiceName="codecommit.amazonaws.com")
    keyspaces = (await _call(iam.create_service_specific_credential, UserName="jane",
                             ServiceName="cassandra.amazonaws.com"))["ServiceSpecificCredential"]

    # Lists: no password; by service; a service that takes none is AWS's NoSuchEntity.
    listed = (await _call(iam.list_service_specific_credentials, UserName="jane"))["ServiceSpecificCredentials"]
    assert len(listed) == 3 and all("ServicePassword" not in c for c in listed)
    [first] = [c for c in listed if c["ServiceSpecificCredentialId"] == credential_id]  # by creation time, then id
    assert first["ServiceUserName"] == "jane-at-123456789012" and first["Status"] == "Active"
    only = (await _call(iam.list_service_specific_credentials, UserName="jane",
                        ServiceName="cassandra.amazonaws.com"))["ServiceSpecificCredentials"]
    assert [c["ServiceSpecificCredentialId"] for c in only] == [keyspaces["ServiceSpecificCredentialId"]]
    error = await _refused(iam.list_service_specific_credentials, "NoSuchEntity", 404, UserName="jane",
                           ServiceName="lambda.amazonaws.com")
    assert error.response["Error"]["Message"] == \
        "No such service lambda.amazonaws.com is supported for Service Specific Credentials"

    # Create's errors in AWS's order: the user first, then the service.
    error = await _refused(iam.create_service_specific_credential, "NoSuchEntity", 404, UserName="nobody",
                           ServiceName="lambda.amazonaws.com")
    assert error.response["Error"]["Message"] == "The user with name nobody cannot be found."
    await _refused(iam.create_service_specific_credential, "NoSuchEntity", 404, UserName="jane",
                   ServiceName="nonexistentservice.amazonaws.com")
    await _refused(iam.create_service_specific_credential, "InvalidInput", 400, UserName="jane",
                   ServiceName="bedrock.amazonaws.com")  # long-term API keys: iamd does not issue them
    await _refused(iam.create_service_specific_credential, "InvalidInput", 400, UserName="jane",
                   ServiceName="bedrock.amazonaws.com", CredentialAgeDays=30)

    # Update, reset (a new password, the status kept), delete, and their errors.
    await _call(iam.update_service_specific_credential, UserName="jane", ServiceSpecificCredentialId=credential_id,
                Status="Inactive")
    reset = (await _call(iam.reset_service_specific_credential, UserName="jane",
                         ServiceSpecificCredentialId=credential_id))["ServiceSpecificCredential"]
    assert reset["Status"] == "Inactive" and len(reset["ServicePassword"]) == 60
    assert reset["ServicePassword"] != password and reset["CreateDate"] == created["CreateDate"]
    for method, extra in ((iam.update_service_specific_credential, {"Status": "Active"}),
                          (iam.reset_service_specific_credential, {}), (iam.delete_service_specific_credential, {})):
        error = await _refused(method, "NoSuchEntity", 404, UserName="jane",
                               ServiceSpecificCredentialId="satisfiesregexbutstillinvalid", **extra)
        assert error.response["Error"]["Message"] == "No such credential satisfiesregexbutstillinvalid exists"
        await _refused(method, "ValidationError", 400, UserName="jane",
                       ServiceSpecificCredentialId="totally-wrong-credential-id-with-hyphens", **extra)
        error = await _refused(method, "NoSuchEntity", 404, UserName="wrong-user-name",
                               ServiceSpecificCredentialId=credential_id, **extra)
        assert error.response["Error"]["Message"] == "The user with name wrong-user-name cannot be found."
    await _refused(iam.update_service_specific_credential, "ValidationError", 400, UserName="jane",
                   ServiceSpecificCredentialId=credential_id, Status="Expired")

    # DeleteUser waits for them, with AWS's words.
    error = await _refused(iam.delete_user, "DeleteConflict", 409, UserName="jane")
    assert error.response["Error"]["Message"] == "Cannot delete entity, must remove referenced objects first."
    for c in (await _call(iam.list_service_specific_credentials, UserName="jane"))["ServiceSpecificCredentials"]:
        await _call(iam.delete_service_specific_credential, UserName="jane",
                    ServiceSpecificCredentialId=c["ServiceSpecificCredentialId"])
    assert (await _call(iam.list_service_specific_credentials, UserName="jane"))["ServiceSpecificCredentials"] == []
    await _call(iam.delete_user, UserName="jane")

    # The passwords are nowhere but in those two answers: audit records hide them, the log keeps hashes.
    records = [r for name in ("CreateServiceSpecificCredential", "ResetServiceSpecificCredential")
               for r in await _records(iamd_http, name)]
    answered = [r for r in records if r.get("responseElements")]
    assert answered and all(r["responseElements"]["serviceSpecificCredential"]["servicePassword"]
                            == "HIDDEN_DUE_TO_SECURITY_REASONS" for r in answered)
    assert answered[0]["eventSource"] == "iam.amazonaws.com"
    dumped = json.dumps(records) + _log(iamd_http)
    for secret in (password, reset["ServicePassword"], keyspaces["ServicePassword"]):
        assert secret not in dumped and secret[:20] not in dumped
    assert "$scrypt$" in _log(iamd_http)  # what the log keeps


async def test_over_grpc_the_password_matches_its_hash_and_a_reset_replaces_it(iamd: Iamd) -> None:
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="bob"))
    created = (await iamd.iam.CreateServiceSpecificCredential(ipb.CreateServiceSpecificCredentialRequest(
        user_name="bob", service_name="cassandra.amazonaws.com"))).service_specific_credential
    reset = (await iamd.iam.ResetServiceSpecificCredential(ipb.ResetServiceSpecificCredentialRequest(
        user_name="bob", service_specific_credential_id=created.service_specific_credential_id))
             ).service_specific_credential
    with sqlite3.connect(iamd.data_dir / "events.db") as db:
        rows = db.execute("SELECT type, data FROM events WHERE type IN "
                          "('ServiceSpecificCredentialCreated', 'ServiceSpecificCredentialPasswordReset') ORDER BY position")
        hashes = [json.loads(data)["password_hash"] for _, data in rows]
    assert len(hashes) == 2
    assert verify_password(created.service_password, hashes[0]) and not verify_password(reset.service_password, hashes[0])
    assert verify_password(reset.service_password, hashes[1])
    listed = await iamd.iam.ListServiceSpecificCredentials(ipb.ListServiceSpecificCredentialsRequest(user_name="bob"))
    assert [c.service_specific_credential_id for c in listed.service_specific_credentials] == [
        created.service_specific_credential_id]
    assert listed.service_specific_credentials[0].HasField("create_date")


async def test_a_user_manages_its_own_credentials_and_the_service_name_condition_holds(iamd_http: Iamd) -> None:
    iam = _client(iamd_http, "iam")
    await _call(iam.create_user, UserName="me")
    await _call(iam.put_user_policy, UserName="me", PolicyName="own", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:*ServiceSpecificCredential*", "Resource": "arn:aws:iam::*:user/me",
             "Condition": {"StringEqualsIfExists": {
                 "iam:ServiceSpecificCredentialServiceName": "codecommit.amazonaws.com"}}}]}))
    key = (await _call(iam.create_access_key, UserName="me"))["AccessKey"]
    mine = _client(iamd_http, "iam", Credentials(key["AccessKeyId"], key["SecretAccessKey"]))
    created = (await _call(mine.create_service_specific_credential, UserName="me",
                           ServiceName="codecommit.amazonaws.com"))["ServiceSpecificCredential"]
    await _refused(mine.create_service_specific_credential, "AccessDenied", 403, UserName="me",
                   ServiceName="cassandra.amazonaws.com")
    other = (await _call(iam.create_service_specific_credential, UserName="me",
                         ServiceName="cassandra.amazonaws.com"))["ServiceSpecificCredential"]
    # Without a user name: the caller's own; on a Keyspaces credential the condition refuses.
    listed = (await _call(mine.list_service_specific_credentials))["ServiceSpecificCredentials"]
    assert len(listed) == 2
    await _call(mine.update_service_specific_credential, ServiceSpecificCredentialId=created["ServiceSpecificCredentialId"],
                Status="Inactive")
    await _refused(mine.delete_service_specific_credential, "AccessDenied", 403,
                   ServiceSpecificCredentialId=other["ServiceSpecificCredentialId"])
    assert (await _call(iam.list_service_specific_credentials))["ServiceSpecificCredentials"] == []  # root: none
