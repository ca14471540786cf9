"""An organization with three levels of OUs and two member accounts, through the API: SCPs at each
level, an RCP, a resource policy granting another account, and a cross-account role chain."""

from __future__ import annotations

import asyncio
import json

import pytest

from iamd.client import cli
from iamd.client.credentials import Credentials, RequestSigner
from iamd.client.iam import IamdClient
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc, organizations_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import organizations_pb2 as opb

from .conftest import ACCOUNT, Iamd
from .helpers import allow, create_organization, deny

pytestmark = pytest.mark.e2e


def _doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


async def _assume(iamd: Iamd, credentials: Credentials, role_arn: str, name: str) -> Credentials:
    channel = iamd.connect(credentials)
    try:
        c = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(
            sts_pb2.AssumeRoleRequest(role_arn=role_arn, role_session_name=name))).credentials
    finally:
        await channel.close()
    return Credentials(c.access_key_id, c.secret_access_key, c.session_token)


async def test_organization_guardrails_and_cross_account_access(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    root_id = (await create_organization(org)).root_id
    ou_a = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=root_id, name="A"))).id
    ou_b = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=ou_a, name="B"))).id
    ou_c = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=ou_b, name="C"))).id
    dev_account = await org.CreateAccount(opb.CreateAccountRequest(account_name="dev", email="dev@example.com"))
    data_account = await org.CreateAccount(opb.CreateAccountRequest(account_name="data", email="data@example.com"))
    dev_id, data_id = dev_account.account_id, data_account.account_id
    await org.MoveAccount(opb.MoveAccountRequest(account_id=dev_id, source_parent_id=root_id,
                                                 destination_parent_id=ou_c))
    accounts = {a.id: a.parent_id for a in (await org.ListAccounts(opb.ListAccountsRequest())).accounts}
    assert accounts[dev_id] == ou_c and accounts[data_id] == root_id and accounts[ACCOUNT] == root_id
    described = (await org.DescribeAccount(opb.DescribeAccountRequest(account_id=dev_id))).account
    assert (described.name, described.email, described.parent_id) == ("dev", "dev@example.com", ou_c)

    # The management account administers members through OrganizationAccountAccessRole (roots cannot
    # assume roles, so an admin user does it).
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="admin"))
    put = await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="admin"), policy_name="assume",
        policy_document=allow("sts:AssumeRole")))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="admin"))).access_key
    await iamd.running.runner.wait_for(put.position, 5)
    admin = Credentials(key.access_key_id, key.secret_access_key)
    in_dev = await _assume(iamd, admin, dev_account.access_role_arn, "admin-dev")
    in_data = await _assume(iamd, admin, data_account.access_role_arn, "admin-data")

    # In the dev account: a user allowed broadly by its own policy.
    dev_channel = iamd.connect(in_dev)
    dev_iam = identity_pb2_grpc.IdentityServiceStub(dev_channel)
    await dev_iam.CreateUser(ipb.CreateUserRequest(user_name="dev"))
    last = await dev_iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="dev"), policy_name="broad",
        policy_document=allow(["s3:*", "ec2:*", "sqs:*", "dynamodb:*"])))
    dev_user = f"arn:aws:iam::{dev_id}:user/dev"

    # A service of the dev account asks for decisions about its principals.
    dev_authz = authorization_pb2_grpc.AuthorizationServiceStub(dev_channel)

    async def decide(action: str, resource: str = "*", position: int = 0, account: str = "") -> str:
        answer = await dev_authz.Authorize(apb.AuthorizeRequest(
            principal_arn=dev_user, action=action, resource=resource, min_position=position,
            resource_account=account))
        return apb.Decision.Name(answer.decision)

    assert await decide("ec2:RunInstances", position=last.position) == "DECISION_ALLOW"

    # An SCP at each level of the tree above the dev account.
    async def scp(name: str, content: str, target: str) -> int:
        policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
            name=name, type="SERVICE_CONTROL_POLICY", content=content))).policy_id
        return (await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
            policy_id=policy_id, target_id=target))).position

    await scp("no-ec2", deny("ec2:*"), ou_a)
    await scp("allow-list", allow(["s3:*", "sqs:*", "iam:*", "sts:*", "iamd:*"]), ou_b)
    position = (await org.DetachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
        policy_id="p-FullAWSAccess", target_id=ou_b))).position
    position = max(position, await scp("no-queue-deletes", deny("sqs:DeleteQueue"), dev_id))
    assert await decide("ec2:RunInstances", position=position) == "DECISION_EXPLICIT_DENY"  # OU A
    assert await decide("dynamodb:GetItem") == "DECISION_IMPLICIT_DENY"  # OU B's allow list
    assert await decide("sqs:DeleteQueue") == "DECISION_EXPLICIT_DENY"  # the account's SCP
    assert await decide("s3:GetObject", "arn:aws:s3:::dev-bucket/k", account=dev_id) == "DECISION_ALLOW"
    # The management account is not restricted by SCPs.
    assert (await iamd.authz.Authorize(apb.AuthorizeRequest(
        principal_arn=f"arn:aws:iam::{ACCOUNT}:root", action="ec2:RunInstances", resource="*"))).decision \
        == apb.DECISION_ALLOW

    # A resource policy in the data account grants the dev account; an RCP there denies deletes.
    data_channel = iamd.connect(in_data)
    data_iam = identity_pb2_grpc.IdentityServiceStub(data_channel)
    queue = f"arn:aws:sqs:us-east-1:{data_id}:orders"
    assert await decide("sqs:SendMessage", queue) == "DECISION_IMPLICIT_DENY"  # no grant on the other side
    granted = await data_iam.PutResourcePolicy(ipb.PutResourcePolicyRequest(resource_arn=queue, policy_document=_doc(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{dev_id}:root"}, "Action": "sqs:*",
         "Resource": queue})))
    assert await decide("sqs:SendMessage", queue, granted.position) == "DECISION_ALLOW"
    rcp_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="no-purge", type="RESOURCE_CONTROL_POLICY", content=_doc(
            {"Effect": "Deny", "Principal": "*", "Action": "sqs:PurgeQueue", "Resource": "*"})))).policy_id
    attached = await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=rcp_id,
                                                                                     target_id=data_id))
    assert await decide("sqs:PurgeQueue", queue, attached.position) == "DECISION_EXPLICIT_DENY"
    assert await decide("sqs:SendMessage", queue) == "DECISION_ALLOW"

    # A cross-account role chain: admin -> dev's access role -> a role in the data account that
    # trusts dev's access role.
    trust = _doc({"Effect": "Allow", "Principal": {"AWS": dev_account.access_role_arn}, "Action": "sts:AssumeRole"})
    created = await data_iam.CreateRole(ipb.CreateRoleRequest(role_name="Reports", assume_role_policy_document=trust))
    await iamd.running.runner.wait_for(created.position, 5)
    chained = await _assume(iamd, in_dev, f"arn:aws:iam::{data_id}:role/Reports", "from-dev")
    chained_channel = iamd.connect(chained)
    who = await sts_pb2_grpc.SecurityTokenServiceStub(chained_channel).GetCallerIdentity(
        sts_pb2.GetCallerIdentityRequest())
    assert who.arn == f"arn:aws:sts::{data_id}:assumed-role/Reports/from-dev" and who.account == data_id
    for channel in (dev_channel, data_channel, chained_channel):
        await channel.close()


async def test_browsing_renaming_and_deleting_the_tree_and_its_policies(iamd: Iamd) -> None:
    import grpc

    from .helpers import field_violations, refused

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await create_organization(org)
    root_id, org_id = created.root_id, created.id
    ou = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=root_id, name="Eng"))).id
    child = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=ou, name="Web"))).id
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="web", email="w@x.io"))).account_id
    await org.MoveAccount(opb.MoveAccountRequest(account_id=member, source_parent_id=root_id,
                                                 destination_parent_id=child))

    [root] = (await org.ListRoots(opb.ListRootsRequest())).roots
    assert (root.id, root.name, root.arn) == (root_id, "Root", f"arn:aws:organizations::{ACCOUNT}:root/{org_id}/{root_id}")
    under_root = await org.ListChildren(opb.ListChildrenRequest(parent_id=root_id, child_type="ORGANIZATIONAL_UNIT"))
    assert [(c.id, c.type) for c in under_root.children] == [(ou, "ORGANIZATIONAL_UNIT")]
    accounts_at_root = await org.ListChildren(opb.ListChildrenRequest(parent_id=root_id, child_type="ACCOUNT"))
    assert [c.id for c in accounts_at_root.children] == [ACCOUNT]  # the management account stays at the root
    assert [a.id for a in (await org.ListAccountsForParent(opb.ListChildrenRequest(parent_id=child))).accounts] == [member]
    ous = (await org.ListOrganizationalUnitsForParent(opb.ListChildrenRequest(parent_id=ou))).organizational_units
    assert [(o.id, o.name, o.arn) for o in ous] == [(child, "Web", f"arn:aws:organizations::{ACCOUNT}:ou/{org_id}/{child}")]
    parents = (await org.ListParents(opb.ListParentsRequest(child_id=child))).parents
    assert [(p.id, p.type) for p in parents] == [(ou, "ORGANIZATIONAL_UNIT")]
    assert [(p.id, p.type) for p in (await org.ListParents(opb.ListParentsRequest(child_id=ou))).parents] == \
        [(root_id, "ROOT")]
    error = await refused(org.ListChildren(opb.ListChildrenRequest(parent_id=root_id, child_type="USER")),
                          grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    assert field_violations(error) == ["childType"]

    # Renaming; a sibling's name is taken; an OU with children cannot be deleted (they are named).
    await org.UpdateOrganizationalUnit(opb.UpdateOrganizationalUnitRequest(organizational_unit_id=child, name="Frontend"))
    described = await org.DescribeOrganizationalUnit(opb.OrganizationalUnitRequest(organizational_unit_id=child))
    assert described.organizational_unit.name == "Frontend"
    backend = await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(parent_id=ou, name="Backend"))
    await refused(org.UpdateOrganizationalUnit(opb.UpdateOrganizationalUnitRequest(
        organizational_unit_id=child, name="Backend")), grpc.StatusCode.ALREADY_EXISTS,
        "DuplicateOrganizationalUnitException")
    unchanged = await org.UpdateOrganizationalUnit(opb.UpdateOrganizationalUnitRequest(organizational_unit_id=child))
    assert unchanged.position == backend.position  # no name given: nothing written since
    error = await refused(org.DeleteOrganizationalUnit(opb.OrganizationalUnitRequest(organizational_unit_id=child)),
                          grpc.StatusCode.FAILED_PRECONDITION, "OrganizationalUnitNotEmptyException")
    assert member in error.details() or member in str(error.trailing_metadata())

    # A policy: described, listed, its targets; updated (the decision follows); deleted only when detached.
    content = _doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="NoBucketDeletes", type="SERVICE_CONTROL_POLICY", content=content))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=policy_id, target_id=child))
    described_policy = await org.DescribeOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=policy_id))
    assert (described_policy.policy_summary.name, described_policy.content) == ("NoBucketDeletes", content)
    assert described_policy.policy_summary.arn == \
        f"arn:aws:organizations::{ACCOUNT}:policy/{org_id}/service_control_policy/{policy_id}"
    listed = await org.ListOrganizationPolicies(opb.ListOrganizationPoliciesRequest(filter="SERVICE_CONTROL_POLICY"))
    assert {(p.id, p.aws_managed) for p in listed.policies} == {("p-FullAWSAccess", True), (policy_id, False)}
    # RCPFullAWSAccess: on every root, OU and account, listed as AWS lists it, never detachable.
    [rcp_full] = (await org.ListOrganizationPolicies(opb.ListOrganizationPoliciesRequest(
        filter="RESOURCE_CONTROL_POLICY"))).policies
    assert (rcp_full.id, rcp_full.aws_managed, rcp_full.arn) == (
        "p-RCPFullAWSAccess", True, "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess")
    everywhere = (await org.ListTargetsForPolicy(opb.OrganizationPolicyRequest(policy_id="p-RCPFullAWSAccess"))).targets
    assert {t.target_id for t in everywhere} >= {root_id, ou, child, member, ACCOUNT}
    await refused(org.DetachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
        policy_id="p-RCPFullAWSAccess", target_id=child)), grpc.StatusCode.FAILED_PRECONDITION,
        "ConstraintViolationException")
    error = await refused(org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(target_id=child)),
                          grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")  # AWS requires the filter
    assert field_violations(error) == ["filter"]
    await refused(org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(
        target_id="ou-none-12345678", filter="SERVICE_CONTROL_POLICY")), grpc.StatusCode.NOT_FOUND,
        "TargetNotFoundException")
    targets = (await org.ListTargetsForPolicy(opb.OrganizationPolicyRequest(policy_id=policy_id))).targets
    assert [(t.target_id, t.name, t.type) for t in targets] == [(child, "Frontend", "ORGANIZATIONAL_UNIT")]
    for_target = await org.ListPoliciesForTarget(opb.ListPoliciesForTargetRequest(
        target_id=child, filter="SERVICE_CONTROL_POLICY"))
    assert [p.id for p in for_target.policies] == ["p-FullAWSAccess", policy_id]

    member_role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="operator"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="operator"), policy_name="assume",
        policy_document=allow("sts:AssumeRole", member_role)))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="operator"))).access_key
    # The member account asks about its own role (the management account may not ask across accounts).
    channel = iamd.connect(await _assume(iamd, Credentials(key.access_key_id, key.secret_access_key), member_role,
                                         "check"))
    member_authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)

    async def member_may(action: str) -> bool:
        answer = await member_authz.Authorize(apb.AuthorizeRequest(principal_arn=member_role, action=action,
                                                                   resource="arn:aws:s3:::logs"))
        return answer.decision == apb.DECISION_ALLOW

    assert not await member_may("s3:DeleteBucket") and await member_may("s3:PutBucketTagging")
    updated = await org.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(
        policy_id=policy_id, content=_doc({"Effect": "Deny", "Action": "s3:PutBucketTagging", "Resource": "*"})))
    assert updated.position
    assert await member_may("s3:DeleteBucket") and not await member_may("s3:PutBucketTagging")
    error = await refused(org.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(
        policy_id=policy_id, content=_doc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*",
                                           "Principal": "*"}))), grpc.StatusCode.INVALID_ARGUMENT,
        "MalformedPolicyDocument")  # still an SCP: no Principal
    await refused(org.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(
        policy_id="p-FullAWSAccess", name="Mine")), grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")
    await refused(org.DeleteOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=policy_id)),
                  grpc.StatusCode.FAILED_PRECONDITION, "PolicyInUseException")
    await org.DetachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=policy_id, target_id=child))
    await org.DeleteOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=policy_id))
    await channel.close()
    await refused(org.DescribeOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=policy_id)),
                  grpc.StatusCode.NOT_FOUND, "PolicyNotFoundException")

    # Emptied, the OU goes; its id is then unknown everywhere.
    await org.MoveAccount(opb.MoveAccountRequest(account_id=member, source_parent_id=child,
                                                 destination_parent_id=root_id))
    await org.DeleteOrganizationalUnit(opb.OrganizationalUnitRequest(organizational_unit_id=child))
    await refused(org.DescribeOrganizationalUnit(opb.OrganizationalUnitRequest(organizational_unit_id=child)),
                  grpc.StatusCode.NOT_FOUND, "OrganizationalUnitNotFoundException")
    await refused(org.MoveAccount(opb.MoveAccountRequest(account_id=member, source_parent_id=root_id,
                                                         destination_parent_id=child)),
                  grpc.StatusCode.NOT_FOUND, "DestinationParentNotFoundException")


async def test_a_removed_account_is_standalone(iamd: Iamd) -> None:
    import grpc

    from .helpers import refused

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created = await create_organization(org)
    member = (await org.CreateAccount(opb.CreateAccountRequest(account_name="leaver", email="l@x.io"))).account_id
    policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="NoS3", type="SERVICE_CONTROL_POLICY", content=deny("s3:*")))).policy_id
    await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(policy_id=policy_id, target_id=member))
    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="operator"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="operator"), policy_name="assume",
        policy_document=allow("sts:AssumeRole", role)))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="operator"))).access_key
    channel = iamd.connect(await _assume(iamd, Credentials(key.access_key_id, key.secret_access_key), role, "ops"))
    member_authz = authorization_pb2_grpc.AuthorizationServiceStub(channel)
    # A queue of an account outside the organization whose policy trusts the organization only.
    queue = "arn:aws:sqs:us-east-1:999999999999:shared"
    org_only = _doc({"Effect": "Allow", "Principal": "*", "Action": "sqs:ReceiveMessage", "Resource": queue,
                     "Condition": {"StringEquals": {"aws:PrincipalOrgID": created.id}}})

    async def decide(action: str, resource: str = "arn:aws:s3:::shared/a", **extra: object) -> int:
        return (await member_authz.Authorize(apb.AuthorizeRequest(
            principal_arn=role, action=action, resource=resource, **extra))).decision

    assert await decide("s3:GetObject") == apb.DECISION_EXPLICIT_DENY  # the SCP
    assert await decide("sqs:ReceiveMessage", queue, resource_policy=org_only) == apb.DECISION_ALLOW
    removed = await org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=member))
    await iamd.running.runner.wait_for(removed.position, 5)
    assert await decide("s3:GetObject") == apb.DECISION_ALLOW  # no SCP any more
    assert await decide("sqs:ReceiveMessage", queue, resource_policy=org_only) == \
        apb.DECISION_IMPLICIT_DENY  # and no aws:PrincipalOrgID: the organization's queue is closed to it
    assert member not in {a.id for a in (await org.ListAccounts(opb.ListAccountsRequest())).accounts}
    await refused(org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=member)),
                  grpc.StatusCode.NOT_FOUND, "AccountNotFoundException")
    await refused(org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=ACCOUNT)),
                  grpc.StatusCode.FAILED_PRECONDITION, "ConstraintViolationException")
    await channel.close()


async def test_policy_descriptions_and_aws_shapes(iamd: Iamd, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 12: `organizations create-policy --description` and AWS's Policy.PolicySummary shape."""
    import grpc

    from iamd.client import cli

    from .helpers import refused

    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    content = _doc({"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"})
    created = await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="NoBucketDeletes", type="SERVICE_CONTROL_POLICY", content=content, description="keep the data"))
    summary = created.policy.policy_summary
    assert (summary.id, summary.name, summary.description, created.policy.content) == \
        (created.policy_id, "NoBucketDeletes", "keep the data", content)
    described = await org.DescribeOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=summary.id))
    assert described.policy.policy_summary.description == "keep the data"
    # Unset leaves it; set replaces it; empty clears it.
    await org.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(policy_id=summary.id, name="NoDeletes"))
    assert (await org.DescribeOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=summary.id))
            ).policy.policy_summary.description == "keep the data"
    await org.UpdateOrganizationPolicy(opb.UpdateOrganizationPolicyRequest(policy_id=summary.id, description=""))
    assert (await org.DescribeOrganizationPolicy(opb.OrganizationPolicyRequest(policy_id=summary.id))
            ).policy.policy_summary.description == ""
    await refused(org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
        name="TooLong", type="SERVICE_CONTROL_POLICY", content=content, description="x" * 513)),
        grpc.StatusCode.INVALID_ARGUMENT, "InvalidInput")

    # iamctl prints what the aws CLI prints: {"Policy": {"PolicySummary": {...}, "Content": "..."}}.
    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))
    capsys.readouterr()
    code = await asyncio.to_thread(cli.main, [
        "--endpoint", iamd.target, "organizations", "create-policy", "--name", "ReadOnlyish",
        "--type", "SERVICE_CONTROL_POLICY", "--content", content, "--description", "for tests"])
    printed = json.loads(capsys.readouterr().out)
    assert code == 0 and set(printed) == {"Policy", "Position"}
    assert printed["Policy"]["PolicySummary"]["Description"] == "for tests"
    assert printed["Policy"]["PolicySummary"]["Name"] == "ReadOnlyish" and printed["Policy"]["Content"] == content


async def test_iamctl_and_the_sdk_gather_every_page_of_an_organizations_list(
        iamd: Iamd, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Organizations' lists come 20 at a time (AWS's MaxResults); iamctl gathers every page as the
    aws CLI does, stops at --max-items with the NextToken to continue from, and the SDK's
    iter_pages follows next_token."""
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    await org.CreateOrganization(opb.CreateOrganizationRequest())
    for i in range(22):
        await org.CreateAccount(opb.CreateAccountRequest(account_name=f"member-{i:02d}", email=f"m{i}@example.com"))
    first = await org.ListAccounts(opb.ListAccountsRequest())
    assert len(first.accounts) == 20 and first.next_token  # one page is AWS's 20 at most

    monkeypatch.setenv("IAMD_SHARED_CREDENTIALS_FILE", str(iamd.data_dir / "root-credentials"))

    async def iamctl(*args: str) -> dict:
        capsys.readouterr()
        code = await asyncio.to_thread(cli.main, ["--endpoint", iamd.target, "organizations", "list-accounts", *args])
        assert code == 0
        return json.loads(capsys.readouterr().out)

    everything = await iamctl()
    assert len(everything["Accounts"]) == 23 and "NextToken" not in everything  # the management account too
    assert len({a["Id"] for a in everything["Accounts"]}) == 23
    five = await iamctl("--max-items", "5")
    assert [a["Id"] for a in five["Accounts"]] == [a["Id"] for a in everything["Accounts"][:5]]
    rest = await iamctl("--starting-token", five["NextToken"])
    assert [a["Id"] for a in rest["Accounts"]] == [a["Id"] for a in everything["Accounts"][5:]]
    assert (await iamctl("--page-size", "7"))["Accounts"] == everything["Accounts"]

    sdk = IamdClient(iamd.target, metadata_provider=RequestSigner(iamd.root))
    try:
        pages = await asyncio.to_thread(lambda: list(sdk.iter_pages("ListAccounts", opb.ListAccountsRequest())))
    finally:
        sdk.close()
    assert [len(p.accounts) for p in pages] == [20, 3]
