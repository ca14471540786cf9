"""The corpus's SCP, RCP and cross-account scenarios, materialised as real accounts, OUs, users and
policies through the API, give the corpus's decisions through Authorize.

Each scenario gets fresh member accounts (their ids replace the scenario's throughout), its SCP and
RCP levels become a chain of OUs above the account (the organization root keeps FullAWSAccess, an
extra allow-all level that changes nothing), its principal a user with the tags the context gives,
its identity policies managed policies. The resource policy and resource tags are passed inline, as
the service owning the resource would. The principal signs its own request; the management account
asks. Scenarios are skipped only where the real service must differ from a fixed scenario: conditions
on keys iamd derives with other values (ids, organization ids, the current time), principals other
than IAM users and role sessions, and empty SCP levels (AWS refuses to detach a target's last SCP). A
role session is made for real: the role holds the identity policies and boundary, AssumeRole gives
the session its tags and session policy, and Authorize names it by its session token.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clients.credentials import Credentials
from protos.iamd.v1 import authorization_pb2 as apb
from protos.iamd.v1 import common_pb2 as pb
from protos.iamd.v1 import identity_pb2 as ipb
from protos.iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc, organizations_pb2_grpc, sts_pb2, sts_pb2_grpc
from protos.iamd.v1 import organizations_pb2 as opb
from service.app.authorize import is_derived_key
from service.auth import signing, totp
from service.policy.scenario import expected_decision

from .conftest import Iamd

pytestmark = pytest.mark.e2e
CORPUS = Path(__file__).resolve().parents[1] / "scenarios" / "public.jsonl"
# Keys iamd derives with values a fixed scenario cannot know: the time, MFA, OU paths. (Account,
# organization and principal ids are rewritten to the real ones, so those scenarios stay in.)
# (MFA presence is reproduced for real: a virtual MFA device, then GetSessionToken or AssumeRole.)
# (The time is reproduced too: the server's clock is set to the scenario's moment for its decision.)
DERIVED = re.compile(r"aws:(PrincipalOrgPaths|ResourceOrgPaths|SourceIdentity|FederatedProvider|"
                     r"PrincipalServiceName)", re.I)
TIMED = re.compile(r"aws:(CurrentTime|EpochTime|TokenIssueTime|MultiFactorAuthAge)", re.I)
DECISION = {apb.DECISION_ALLOW: "Allow", apb.DECISION_EXPLICIT_DENY: "ExplicitDeny",
            apb.DECISION_IMPLICIT_DENY: "ImplicitDeny"}


def candidates() -> list[dict]:
    chosen = []
    for line in CORPUS.read_text().splitlines():
        s = json.loads(line)
        if not {"policy:scp", "policy:rcp", "cross-account"} & set(s.get("features", [])):
            continue
        principal = s["request"]["principal"]
        is_user = re.fullmatch(r"arn:aws:iam::\d{12}:user/[\w+=,.@/-]+", principal)
        is_session = re.fullmatch(r"arn:aws:sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]{2,64}", principal)
        if not (is_user or is_session) or (is_user and s.get("sessionPolicy") is not None):
            continue
        docs = json.dumps({k: s.get(k) for k in ("identityPolicies", "resourcePolicy", "permissionBoundaries",
                                                 "scps", "rcps", "sessionPolicy")})
        if DERIVED.search(docs) or any(level == [] for level in s.get("scps") or []):
            continue
        if re.search(r"aws:MultiFactorAuthAge", docs, re.I) and not _issue_moment(s["request"]["context"], docs):
            continue  # an MFA age that disagrees with the token's issue time: no real session has both
        if TIMED.search(docs) and _token_outlives_limit(s["request"]["context"], docs,
                                                        43200 if is_session else 129600):
            continue  # no real session lives that long: AWS would refuse the token as expired
        chosen.append(s)
    return chosen


def _issue_moment(context: dict, docs: str) -> str | None:
    """When the credentials must be issued (with their MFA) for the scenario's time keys to hold."""
    ctx = {k.lower(): v for k, v in context.items()}
    issued = ctx.get("aws:tokenissuetime")
    age = ctx.get("aws:multifactorauthage")
    if age is None or not re.search(r"aws:MultiFactorAuthAge", docs, re.I):
        return issued
    now = ctx.get("aws:currenttime")
    if now is None or not str(age).isdigit():
        return None
    moment = (datetime.fromisoformat(now.replace("Z", "+00:00")) - timedelta(seconds=int(age)))
    at_age = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if issued and re.search(r"aws:TokenIssueTime", docs, re.I) and issued != at_age:
        return None
    return at_age


def _token_outlives_limit(context: dict, docs: str, limit: int) -> bool:
    issued = _issue_moment(context, docs)
    now = next((v for k, v in context.items() if k.lower() == "aws:currenttime"), None)
    if issued is None or now is None:
        return False
    seconds = (datetime.fromisoformat(now.replace("Z", "+00:00")) -
               datetime.fromisoformat(issued.replace("Z", "+00:00"))).total_seconds()
    return not 0 <= seconds < limit


def _docs(value: object) -> list[str]:
    return [json.dumps(d) for d in value] if isinstance(value, list) else []


async def _session(iamd: Iamd, admin: Credentials, role_arn: str) -> identity_pb2_grpc.IdentityServiceStub:
    channel = iamd.connect(admin)
    c = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(
        sts_pb2.AssumeRoleRequest(role_arn=role_arn, role_session_name="materialise"))).credentials
    await channel.close()
    return iamd.connect(Credentials(c.access_key_id, c.secret_access_key, c.session_token))


@pytest.mark.timeout(600)  # hundreds of scenarios, each a few dozen real calls (about 90 s here)
async def test_guardrail_and_cross_account_scenarios_through_real_accounts(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created_org = await org.CreateOrganization(opb.CreateOrganizationRequest())
    root_id, org_id = created_org.root_id, created_org.id
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="admin"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="admin"), policy_name="assume",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="admin"))).access_key
    admin = Credentials(key.access_key_id, key.secret_access_key)
    timed_channel = iamd.connect(iamd.root)  # signs on the server's clock, wherever the test sets it
    everything = candidates()
    assert len(everything) > 500
    # Every scenario takes a few dozen real calls: `make test` runs every SAMPLE-th one (all kinds
    # are spread through the corpus), `make test-corpus` runs them all (IAMD_CORPUS_SAMPLE=1).
    scenarios = everything[::int(os.environ.get("IAMD_CORPUS_SAMPLE", "3"))]
    wrong: list[str] = []
    for n, scenario in enumerate(scenarios):
        request = scenario["request"]
        principal_account = request["principal"].split(":")[4]
        resource_account = request.get("resourceAccount") or request["resource"].split(":")[4] or principal_account
        new_ids: dict[str, str] = {}
        for old in (principal_account, resource_account):
            if old not in new_ids:
                created = await org.CreateAccount(opb.CreateAccountRequest(account_name=f"s{n}", email=f"s{n}@x.io"))
                new_ids[old] = created.account_id
        text = json.dumps(scenario)
        for other in sorted(set(re.findall(r"\b\d{12}\b", text)) - set(new_ids)):
            new_ids[other] = f"{900000000000 + len(new_ids) + n * 10:012d}"  # accounts outside the organization
        for old, new in new_ids.items():
            text = text.replace(old, new)
        scenario_org = next((v for k, v in request["context"].items() if k.lower() == "aws:principalorgid"), None)
        if scenario_org:
            text = text.replace(scenario_org, org_id)
        s = json.loads(text)
        req = s["request"]
        p_account = req["principal"].split(":")[4]
        r_account = new_ids[resource_account]

        # Everything inside the principal's account first: later SCPs may forbid IAM calls there.
        iam = await _session(iamd, admin, f"arn:aws:iam::{p_account}:role/OrganizationAccountAccessRole")
        timed = TIMED.search(json.dumps({k: s.get(k) for k in ("identityPolicies", "resourcePolicy",
                                                               "permissionBoundaries", "scps", "rcps",
                                                               "sessionPolicy")}))
        # Temporary credentials are issued at the scenario's aws:TokenIssueTime when its policies
        # look at time (the decision is then made at its aws:CurrentTime too).
        issued = _issue_moment(req["context"], json.dumps({k: s.get(k) for k in (
            "identityPolicies", "resourcePolicy", "permissionBoundaries", "scps", "rcps", "sessionPolicy")}))
        if issued and timed:
            iamd.clock.offset = (datetime.fromisoformat(issued.replace("Z", "+00:00")) - datetime.now(UTC)).total_seconds()
        stub = identity_pb2_grpc.IdentityServiceStub(iam)
        tags = [pb.Tag(key=k.split("/", 1)[1], value=v) for k, v in req["context"].items()
                if k.lower().startswith("aws:principaltag/") and isinstance(v, str)]
        session = ":assumed-role/" in req["principal"]
        if session:  # a role session: the role holds the policies, the session its tags and session policy
            role_name, session_name = req["principal"].split(":assumed-role/", 1)[1].split("/", 1)
            name, kind = role_name, pb.ENTITY_KIND_ROLE
            await stub.CreateUser(ipb.CreateUserRequest(user_name="assumer"))
            trust = json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{p_account}:user/assumer"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
            role_arn = next((v for k, v in req["context"].items() if k.lower() == "aws:principalarn"),
                            f"arn:aws:iam::{p_account}:role/{role_name}")
            role_path = role_arn.split(":role", 1)[1].rsplit("/", 1)[0] + "/"
            principal_id = (await stub.CreateRole(ipb.CreateRoleRequest(
                role_name=role_name, path=role_path, assume_role_policy_document=trust,
                max_session_duration=43200))).role.role_id
        else:
            path_and_name = req["principal"].split(":user", 1)[1]
            path, name = path_and_name.rsplit("/", 1)[0] + "/", path_and_name.rsplit("/", 1)[1]
            kind = pb.ENTITY_KIND_USER
            principal_id = (await stub.CreateUser(ipb.CreateUserRequest(user_name=name, path=path, tags=tags))).user.user_id
        # The scenario's made-up unique id (AIDA..., or AROA...:session) becomes the real one.
        scenario_userid = next((v for k, v in req["context"].items() if k.lower() == "aws:userid"), "")
        if scenario_userid:
            s = json.loads(json.dumps(s).replace(scenario_userid.split(":")[0], principal_id))
            req = s["request"]
        for i, doc in enumerate(_docs(s.get("identityPolicies"))):
            arn = (await stub.CreatePolicy(ipb.CreatePolicyRequest(policy_name=f"id{i}", policy_document=doc))).policy.arn
            await stub.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=kind, name=name), policy_arn=arn))
        boundaries = s.get("permissionBoundaries") or []
        if boundaries:
            statements = []
            for b in boundaries:
                st = b["Statement"]
                statements += st if isinstance(st, list) else [st]
            merged = json.dumps({"Version": "2012-10-17", "Statement": statements})
            arn = (await stub.CreatePolicy(ipb.CreatePolicyRequest(policy_name="boundary", policy_document=merged))).policy.arn
            await stub.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(
                target=pb.EntityRef(kind=kind, name=name), permissions_boundary=arn))
        key_owner = "assumer" if session else name
        user_key = (await stub.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name=key_owner))).access_key
        mfa = next((v for k, v in req["context"].items() if k.lower() == "aws:multifactorauthpresent"), None)
        serial, code = "", ""
        if mfa == "true":  # a real virtual MFA device for whoever obtains the temporary credentials
            device = (await stub.CreateVirtualMFADevice(ipb.CreateVirtualMFADeviceRequest(
                virtual_mfa_device_name=f"{key_owner}-mfa"))).virtual_mfa_device
            now = iamd.clock.now().timestamp()
            await stub.EnableMFADevice(ipb.EnableMFADeviceRequest(
                user_name=key_owner, serial_number=device.serial_number,
                authentication_code1=totp.totp(device.base32_string_seed, now - 60),
                authentication_code2=totp.totp(device.base32_string_seed, now - 30)))
            serial, code = device.serial_number, totp.totp(device.base32_string_seed, now)
        await iam.close()
        session_token = ""
        if not session and (mfa is not None or timed):
            # MFA context on a user: the request was made with GetSessionToken's credentials.
            caller = iamd.connect(Credentials(user_key.access_key_id, user_key.secret_access_key))
            token = await sts_pb2_grpc.SecurityTokenServiceStub(caller).GetSessionToken(
                sts_pb2.GetSessionTokenRequest(serial_number=serial, token_code=code, duration_seconds=129600))
            await caller.close()
            session_token = token.credentials.session_token
        if session:
            assumer = iamd.connect(Credentials(user_key.access_key_id, user_key.secret_access_key))
            policy = json.dumps(s["sessionPolicy"], separators=(",", ":")) if s.get("sessionPolicy") else ""
            assumed = await sts_pb2_grpc.SecurityTokenServiceStub(assumer).AssumeRole(sts_pb2.AssumeRoleRequest(
                role_arn=role_arn, role_session_name=session_name, policy=policy, duration_seconds=43200,
                tags=tags, serial_number=serial, token_code=code))
            await assumer.close()
            assert assumed.assumed_role_user.arn == req["principal"]
            session_token = assumed.credentials.session_token

        iamd.clock.offset = 0.0  # back to now: the management account's calls are signed in real time

        # Guardrails: one OU per level above each account, the account holding the last level.
        async def chain(account: str, scps: list, rcps: list) -> None:
            depth = max(len(scps), len(rcps))
            nodes, parent = [], root_id
            for level in range(depth - 1):
                parent = (await org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(
                    parent_id=parent, name=f"s{n}-{account}-{level}"))).id
                nodes.append(parent)
            await org.MoveAccount(opb.MoveAccountRequest(account_id=account, source_parent_id=root_id,
                                                         destination_parent_id=parent))
            nodes.append(account)
            for kind, levels in (("SERVICE_CONTROL_POLICY", scps), ("RESOURCE_CONTROL_POLICY", rcps)):
                for j, docs in enumerate(levels):
                    node = nodes[depth - len(levels) + j]
                    for k, doc in enumerate(docs):
                        policy_id = (await org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
                            name=f"s{n}-{account}-{kind[0]}{j}-{k}", type=kind, content=json.dumps(doc)))).policy_id
                        await org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                            policy_id=policy_id, target_id=node))
                    if kind == "SERVICE_CONTROL_POLICY":
                        await org.DetachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                            policy_id="p-FullAWSAccess", target_id=node))

        scps, rcps = s.get("scps") or [], s.get("rcps") or []
        if p_account == r_account:
            await chain(p_account, scps, rcps)
        else:
            if scps:
                await chain(p_account, scps, [])
            if rcps:
                await chain(r_account, [], rcps)

        body = f"scenario {n}".encode()
        headers = dict(signing.sign_request(method="/scenario/Call", body=body, access_key_id=user_key.access_key_id,
                                            secret_access_key=user_key.secret_access_key, moment=datetime.now(UTC)))
        principal = {"session_token": session_token} if session_token else {
            "signed_request": apb.SignedPrincipalRequest(method="/scenario/Call", body=body, headers=headers)}
        context = {k: (apb.ContextValue(values=v, multivalued=True) if isinstance(v, list)
                       else apb.ContextValue(values=[v]))
                   for k, v in req["context"].items()
                   if not is_derived_key(k) and not k.lower().startswith(("aws:resourcetag/", "aws:resourceaccount",
                                                                           "aws:resourceorg"))}
        resource_tags = {k.split("/", 1)[1]: v for k, v in req["context"].items()
                         if k.lower().startswith("aws:resourcetag/")}
        asker = iamd.authz
        if timed:
            # The decision at the scenario's moment: the server's clock (and the asker's signing
            # clock with it) moves there; the principal is named by its session token.
            moment = next((v for k, v in req["context"].items() if k.lower() == "aws:currenttime"),
                          datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            then = datetime.fromisoformat(moment.replace("Z", "+00:00"))
            iamd.clock.offset = (then - datetime.now(UTC)).total_seconds()
            asker = authorization_pb2_grpc.AuthorizationServiceStub(timed_channel)
        answer = await asker.Authorize(apb.AuthorizeRequest(
            **principal, action=req["action"], resource=req["resource"], resource_account=r_account, context=context,
            resource_policy=json.dumps(s["resourcePolicy"]) if s.get("resourcePolicy") else "",
            resource_tags=resource_tags, has_resource_tags=True))
        iamd.clock.offset = 0.0
        if DECISION[answer.decision] != expected_decision(scenario):
            wrong.append(f"{scenario['id']}: {DECISION[answer.decision]} != {expected_decision(scenario)}")
    await timed_channel.close()
    assert not wrong, f"{len(wrong)} of {len(scenarios)}: {wrong[:15]}"
