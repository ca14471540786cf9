"""The corpus's SCP, RCP and cross-account scenarios, materialised as real accounts, OUs, users and
policies through the API, give the corpus's decisions through Authorize.

Each scenario gets fresh member accounts (their ids replace the scenario's throughout). Its SCP and
RCP levels become a chain of OUs above the account; where the scenario's `aws:PrincipalOrgPaths`
says where the account sits, that very chain is built and its ids replace the scenario's, and a
level above the first OU goes on the organization root for the one decision. Elsewhere the root
keeps FullAWSAccess, an extra allow-all level that changes nothing. The resource policy and
resource tags are passed inline, as the service owning the resource would. The management account
asks.

Principals are made for real:
- an IAM user signs its own request (after GetSessionToken, with a real MFA device, when the
  scenario's keys say temporary credentials or MFA were used);
- a role session: the role holds the identity policies and boundary, AssumeRole gives the session
  its tags and session policy, and Authorize names it by its session token;
- a federated user: an IAM user of the same name holds the identity policies and boundary and
  calls GetFederationToken with the session policy;
- a service principal or an anonymous request is named as such.
Time-dependent keys are reproduced: credentials are issued at the scenario's aws:TokenIssueTime
(with MFA at the moment its aws:MultiFactorAuthAge implies) and the server's clock is set to its
aws:CurrentTime for the decision.

A scenario is left out only where no real request can carry its context (see `unreproducible`).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from iamd.client.credentials import Credentials
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb
from iamd.v1 import authorization_pb2_grpc, identity_pb2_grpc, organizations_pb2_grpc, sts_pb2, sts_pb2_grpc
from iamd.v1 import organizations_pb2 as opb
from iamd.service.app.authorize import is_derived_key
from iamd.client import signing
from iamd.service.auth import totp
from iamd.service.policy.scenario import expected_decision

from .conftest import Iamd
from .helpers import create_organization

pytestmark = pytest.mark.e2e
CORPUS = Path(__file__).resolve().parents[1] / "scenarios" / "public.jsonl"
DOCUMENTS = ("identityPolicies", "resourcePolicy", "permissionBoundaries", "scps", "rcps", "sessionPolicy")
TIMED = re.compile(r"aws:(CurrentTime|EpochTime|TokenIssueTime|MultiFactorAuthAge)", re.I)
DECISION = {apb.DECISION_ALLOW: "Allow", apb.DECISION_EXPLICIT_DENY: "ExplicitDeny",
            apb.DECISION_IMPLICIT_DENY: "ImplicitDeny"}
_USER = re.compile(r"arn:aws:iam::\d{12}:user/[\w+=,.@/-]+")
_SESSION = re.compile(r"arn:aws:sts::\d{12}:assumed-role/[\w+=,.@-]+/[\w+=,.@-]{2,64}")
_FEDERATED = re.compile(r"arn:aws:sts::\d{12}:federated-user/[\w+=,.@-]{2,32}")
_SERVICE = re.compile(r"[a-z0-9-]+\.amazonaws\.com")
_ORG_PATH = re.compile(r"(o-[a-z0-9]+)/(r-[a-z0-9]+)/((?:ou-[a-z0-9]+-[a-z0-9]+/)*)")


def principal_kind(s: dict) -> str:
    principal = s["request"]["principal"]
    for kind, pattern in (("user", _USER), ("session", _SESSION), ("federated", _FEDERATED),
                          ("service", _SERVICE)):
        if pattern.fullmatch(principal):
            return kind
    return "anonymous" if principal == "anonymous" else "other"


def _documents(s: dict) -> str:
    return json.dumps({k: s.get(k) for k in DOCUMENTS})


def _context(s: dict) -> dict[str, Any]:
    return {k.lower(): v for k, v in s["request"]["context"].items()}


def _uses(docs: str, key: str) -> bool:
    return re.search(re.escape(key), docs, re.I) is not None


def unreproducible(s: dict) -> str | None:
    """Why no real request can carry this scenario's context (None: it can be materialised).

    A key matters only when the scenario's policies look at it; then the value iamd derives for a
    real principal must be the one the scenario states.
    """
    kind, docs, ctx = principal_kind(s), _documents(s), _context(s)
    if kind == "other":
        return "a principal iamd has no such kind of"
    if kind == "user" and s.get("sessionPolicy") is not None:
        return "a session policy on an IAM user's own credentials"
    if any(level == [] for level in s.get("scps") or []):
        return "an empty SCP level (AWS refuses to detach a target's last SCP)"
    if _uses(docs, "aws:PrincipalServiceName") and kind != "service" and "aws:principalservicename" in ctx:
        return "a service name on an IAM principal"
    if standalone(s):  # materialised as an account removed from the organization
        if s.get("scps"):
            return "SCPs on a principal the scenario puts outside any organization"
        if s.get("rcps") and s["request"]["principal"].split(":")[4] == s["request"].get("resourceAccount"):
            return "RCPs on an account the scenario puts outside any organization"
    elif _uses(docs, "aws:PrincipalOrgPaths") and kind in ("user", "session", "federated"):
        paths = ctx.get("aws:principalorgpaths")
        if not paths and ctx.get("aws:principalorgid"):
            return "an organization id without its OU path (AWS sets both for a member account)"
        if len(paths) != 1 or not _ORG_PATH.fullmatch(paths[0]) or \
                _ORG_PATH.fullmatch(paths[0]).group(1) != ctx.get("aws:principalorgid"):
            return "an OU path that is not one account's place in its organization"
        if len(s.get("scps") or []) > paths[0].count("/ou-") + 2:
            return "more SCP levels than the OU path has places"
    if kind == "anonymous" and _uses(docs, "aws:PrincipalType"):
        return "an anonymous request without aws:PrincipalType (iamd sets it to Anonymous)"
    if kind == "federated":
        if _uses(docs, "aws:TokenIssueTime") and "aws:tokenissuetime" not in ctx:
            return "a federated user without aws:TokenIssueTime (AWS sets it for every session)"
        if _uses(docs, "aws:MultiFactorAuthPresent") and ctx.get("aws:multifactorauthpresent") != "false":
            return "MFA on a federated user (GetFederationToken takes no MFA)"
        if _uses(docs, "aws:MultiFactorAuthAge") and "aws:multifactorauthage" in ctx:
            return "MFA on a federated user (GetFederationToken takes no MFA)"
    if kind in ("service", "anonymous") and re.search(r"aws:(TokenIssueTime|MultiFactorAuth)", docs, re.I) and \
            re.search(r"aws:(tokenissuetime|multifactorauth)", " ".join(ctx)):
        return "temporary-credential keys on a request without credentials"
    if _uses(docs, "aws:MultiFactorAuthAge") and "aws:multifactorauthage" in ctx and _issue_moment(s) is None:
        return "an MFA age that disagrees with the token's issue time"
    limit = {"session": 43200, "federated": 129600}.get(kind, 129600)
    if TIMED.search(docs) and _token_outlives_limit(s, limit):
        return "credentials older than any session lives"
    return None


def standalone(s: dict) -> bool:
    """The principal's policies look at its organization, and the scenario says it has none."""
    return (principal_kind(s) in ("user", "session", "federated") and "aws:principalorgid" not in _context(s)
            and re.search(r"aws:PrincipalOrg", _documents(s), re.I) is not None)


def candidates() -> tuple[list[dict], Counter[str]]:
    """The corpus's SCP/RCP/cross-account scenarios that can be materialised, and why the others cannot."""
    chosen, left_out = [], Counter()
    for line in CORPUS.read_text().splitlines():
        s = json.loads(line)
        if not {"policy:scp", "policy:rcp", "cross-account"} & set(s.get("features", [])):
            continue
        reason = unreproducible(s)
        if reason:
            left_out[reason] += 1
        else:
            chosen.append(s)
    return chosen, left_out


def _issue_moment(s: dict) -> str | None:
    """When the credentials must be issued (with their MFA) for the scenario's time keys to hold."""
    docs, ctx = _documents(s), _context(s)
    issued = ctx.get("aws:tokenissuetime")
    age = ctx.get("aws:multifactorauthage")
    if age is None or not _uses(docs, "aws:MultiFactorAuthAge"):
        return issued
    now = ctx.get("aws:currenttime")
    if now is None or not str(age).isdigit():
        return None
    at_age = (_when(now) - timedelta(seconds=int(age))).strftime("%Y-%m-%dT%H:%M:%SZ")
    if issued and _uses(docs, "aws:TokenIssueTime") and issued != at_age:
        return None
    return at_age


def _token_outlives_limit(s: dict, limit: int) -> bool:
    issued, now = _issue_moment(s), _context(s).get("aws:currenttime")
    if issued is None or now is None:
        return False
    return not 0 <= (_when(now) - _when(issued)).total_seconds() < limit


def _when(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _docs(value: object) -> list[str]:
    return [json.dumps(d) for d in value] if isinstance(value, list) else []


def test_what_is_left_out_and_why() -> None:
    """Only what no real request can carry is left out: the reasons, counted."""
    chosen, left_out = candidates()
    assert (len(chosen), sum(left_out.values())) == (671, 23), left_out
    assert left_out == {
        "an organization id without its OU path (AWS sets both for a member account)": 7,
        "SCPs on a principal the scenario puts outside any organization": 3,
        "MFA on a federated user (GetFederationToken takes no MFA)": 7,
        "an MFA age that disagrees with the token's issue time": 3,
        "credentials older than any session lives": 1,
        "an anonymous request without aws:PrincipalType (iamd sets it to Anonymous)": 1,
        "more SCP levels than the OU path has places": 1,
    }


class Materialiser:
    """Builds one scenario for real through the API and asks for its decision."""

    def __init__(self, iamd: Iamd, org: organizations_pb2_grpc.OrganizationsServiceStub, org_id: str,
                 root_id: str, admin: Credentials, timed_channel: Any) -> None:
        self.iamd, self.org, self.org_id, self.root_id = iamd, org, org_id, root_id
        self.admin, self.timed_channel = admin, timed_channel

    async def decide(self, n: int, scenario: dict) -> str:
        kind = principal_kind(scenario)
        request = scenario["request"]
        principal_account = request["principal"].split(":")[4] if kind in ("user", "session", "federated") else ""
        resource_account = (request.get("resourceAccount") or request["resource"].split(":")[4]
                            or principal_account)
        new_ids: dict[str, str] = {}
        for old in (principal_account, resource_account):
            if old and old not in new_ids:
                # Each its own email: AWS (and iamd) refuse a second account with one in use.
                created = await self.org.CreateAccount(opb.CreateAccountRequest(
                    account_name=f"s{n}", email=f"s{n}-{len(new_ids)}@x.io"))
                new_ids[old] = created.account_id
        text = json.dumps(scenario)
        for other in sorted(set(re.findall(r"\b\d{12}\b", text)) - set(new_ids)):
            new_ids[other] = f"{900000000000 + len(new_ids) + n * 10:012d}"  # accounts outside the organization
        for old, new in new_ids.items():
            text = text.replace(old, new)
        ctx = _context(scenario)
        if ctx.get("aws:principalorgid"):
            text = text.replace(ctx["aws:principalorgid"], self.org_id)
        # The OU path the principal's account sits in, built for real and its ids put in place.
        place: list[str] | None = None
        paths = ctx.get("aws:principalorgpaths")
        if paths and _uses(_documents(scenario), "aws:PrincipalOrgPaths"):
            place = []
            _, scenario_root, ous = _ORG_PATH.fullmatch(paths[0]).groups()
            text = text.replace(scenario_root, self.root_id)
            parent = self.root_id
            for ou in ous.strip("/").split("/") if ous else []:
                parent = (await self.org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(
                    parent_id=parent, name=f"s{n}-{ou}"))).id
                text = text.replace(ou, parent)
                place.append(parent)
        s = json.loads(text)
        p_account = new_ids.get(principal_account, "")
        r_account = new_ids[resource_account] if resource_account else ""
        principal = await self._principal(n, s, kind, p_account) if p_account else (
            {"service_principal": s["request"]["principal"]} if kind == "service" else {"anonymous": True})

        if standalone(scenario):  # the principal's account leaves the organization
            await self.org.RemoveAccountFromOrganization(opb.DescribeAccountRequest(account_id=p_account))
        scps, rcps = s.get("scps") or [], s.get("rcps") or []
        on_root: list[str] = []
        if p_account and p_account == r_account:
            on_root += await self._chain(n, p_account, scps, rcps, place)
        else:
            if scps and p_account:
                on_root += await self._chain(n, p_account, scps, [], place)
            if rcps and r_account:
                on_root += await self._chain(n, r_account, [], rcps, None)
        try:
            return await self._authorize(s, principal, r_account)
        finally:
            await self._restore_root(on_root)

    async def _principal(self, n: int, s: dict, kind: str, p_account: str) -> dict[str, Any]:
        """The principal, made for real in its account: how Authorize names it."""
        iamd, req = self.iamd, s["request"]
        docs = _documents(s)
        iam = await self._session(f"arn:aws:iam::{p_account}:role/OrganizationAccountAccessRole")
        timed = TIMED.search(docs)
        issued = _issue_moment(s)
        if kind == "federated" and timed:  # a minute before the decision (the corpus gives no issue time)
            moment = _context(s).get("aws:currenttime") or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            issued = (_when(moment) - timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        if issued and timed:  # credentials issued at the scenario's aws:TokenIssueTime
            iamd.clock.offset = (_when(issued) - datetime.now(UTC)).total_seconds()
        stub = identity_pb2_grpc.IdentityServiceStub(iam)
        tags = [pb.Tag(key=k.split("/", 1)[1], value=v) for k, v in req["context"].items()
                if k.lower().startswith("aws:principaltag/") and isinstance(v, str)]
        if kind == "session":  # the role holds the policies, the session its tags and session policy
            role_name, session_name = req["principal"].split(":assumed-role/", 1)[1].split("/", 1)
            name, entity = role_name, pb.ENTITY_KIND_ROLE
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
        elif kind == "federated":  # an IAM user of the same name federates it
            name, entity = req["principal"].rsplit("/", 1)[1], pb.ENTITY_KIND_USER
            principal_id = (await stub.CreateUser(ipb.CreateUserRequest(user_name=name, tags=tags))).user.user_id
        else:
            path_and_name = req["principal"].split(":user", 1)[1]
            path, name = path_and_name.rsplit("/", 1)[0] + "/", path_and_name.rsplit("/", 1)[1]
            entity = pb.ENTITY_KIND_USER
            principal_id = (await stub.CreateUser(ipb.CreateUserRequest(user_name=name, path=path,
                                                                        tags=tags))).user.user_id
        # The scenario's made-up unique id (AIDA..., or AROA...:session) becomes the real one.
        scenario_userid = _context(s).get("aws:userid", "")
        if scenario_userid and kind != "federated":
            s.update(json.loads(json.dumps(s).replace(scenario_userid.split(":")[0], principal_id)))
            req = s["request"]
        for i, doc in enumerate(_docs(s.get("identityPolicies"))):
            arn = (await stub.CreatePolicy(ipb.CreatePolicyRequest(policy_name=f"id{i}", policy_document=doc))).policy.arn
            await stub.AttachPolicy(ipb.AttachPolicyRequest(target=pb.EntityRef(kind=entity, name=name), policy_arn=arn))
        key_owner = "assumer" if kind == "session" else name
        federate = pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=name)
        if kind == "federated":  # allowed to federate only while it does so (then the policy goes)
            await stub.PutInlinePolicy(ipb.PutInlinePolicyRequest(target=federate, policy_name="federate",
                                                                  policy_document=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetFederationToken",
                                                        "Resource": req["principal"]}]})))
        user_key = (await stub.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name=key_owner))).access_key
        user_credentials = Credentials(user_key.access_key_id, user_key.secret_access_key)
        mfa = _context(s).get("aws:multifactorauthpresent") if kind != "federated" else None
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
        caller = iamd.connect(user_credentials)
        sts = sts_pb2_grpc.SecurityTokenServiceStub(caller)
        session_policy = json.dumps(s["sessionPolicy"], separators=(",", ":")) if s.get("sessionPolicy") else ""
        session_token = ""
        if kind == "user" and (mfa is not None or timed):
            # MFA context on a user: the request was made with GetSessionToken's credentials.
            session_token = (await sts.GetSessionToken(sts_pb2.GetSessionTokenRequest(
                serial_number=serial, token_code=code, duration_seconds=129600))).credentials.session_token
        elif kind == "session":
            assumed = await sts.AssumeRole(sts_pb2.AssumeRoleRequest(
                role_arn=role_arn, role_session_name=session_name, policy=session_policy, duration_seconds=43200,
                tags=tags, serial_number=serial, token_code=code))
            assert assumed.assumed_role_user.arn == req["principal"]
            session_token = assumed.credentials.session_token
        elif kind == "federated":
            federated = await sts.GetFederationToken(sts_pb2.GetFederationTokenRequest(
                name=name, policy=session_policy, duration_seconds=129600))
            assert federated.federated_user.arn == req["principal"]
            session_token = federated.credentials.session_token
            await stub.DeleteInlinePolicy(ipb.DeleteInlinePolicyRequest(target=federate, policy_name="federate"))
        await caller.close()
        if s.get("permissionBoundaries"):  # last: a boundary may not allow what the steps above call
            statements = []
            for b in s["permissionBoundaries"]:
                st = b["Statement"]
                statements += st if isinstance(st, list) else [st]
            merged = json.dumps({"Version": "2012-10-17", "Statement": statements})
            arn = (await stub.CreatePolicy(ipb.CreatePolicyRequest(policy_name="boundary", policy_document=merged))).policy.arn
            await stub.PutPermissionsBoundary(ipb.PutPermissionsBoundaryRequest(
                target=pb.EntityRef(kind=entity, name=name), permissions_boundary=arn))
        await iam.close()
        iamd.clock.offset = 0.0  # back to now: the management account's calls are signed in real time
        if session_token:
            return {"session_token": session_token}
        body = f"scenario {n}".encode()
        headers = dict(signing.sign_request(method="/scenario/Call", body=body, access_key_id=user_key.access_key_id,
                                            secret_access_key=user_key.secret_access_key, moment=datetime.now(UTC)))
        return {"signed_request": apb.SignedPrincipalRequest(method="/scenario/Call", body=body, headers=headers)}

    async def _session(self, role_arn: str) -> Any:
        channel = self.iamd.connect(self.admin)
        c = (await sts_pb2_grpc.SecurityTokenServiceStub(channel).AssumeRole(
            sts_pb2.AssumeRoleRequest(role_arn=role_arn, role_session_name="materialise"))).credentials
        await channel.close()
        return self.iamd.connect(Credentials(c.access_key_id, c.secret_access_key, c.session_token))

    async def _chain(self, n: int, account: str, scps: list, rcps: list, place: list[str] | None) -> list[str]:
        """Guardrail levels above `account`, the last level on the account itself. `place` is the
        OU chain the account must sit in (None: one made to fit the levels). Returns the policies
        put on the organization root, to take off after the decision."""
        depth = max(len(scps), len(rcps))
        if place is None:
            place, parent = [], self.root_id
            for level in range(depth - 1):
                parent = (await self.org.CreateOrganizationalUnit(opb.CreateOrganizationalUnitRequest(
                    parent_id=parent, name=f"s{n}-{account}-{level}"))).id
                place.append(parent)
        if place:  # an account already under the root stays there (a move there is DuplicateAccountException)
            await self.org.MoveAccount(opb.MoveAccountRequest(account_id=account, source_parent_id=self.root_id,
                                                              destination_parent_id=place[-1]))
        nodes = [self.root_id, *place, account]
        on_root = []
        for kind, levels in (("SERVICE_CONTROL_POLICY", scps), ("RESOURCE_CONTROL_POLICY", rcps)):
            for j, docs in enumerate(levels):
                node = nodes[len(nodes) - len(levels) + j]
                for k, doc in enumerate(docs):
                    policy_id = (await self.org.CreateOrganizationPolicy(opb.CreateOrganizationPolicyRequest(
                        name=f"s{n}-{account}-{kind[0]}{j}-{k}", type=kind, content=json.dumps(doc)))).policy_id
                    await self.org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                        policy_id=policy_id, target_id=node))
                    if node == self.root_id:
                        on_root.append(policy_id)
                if kind == "SERVICE_CONTROL_POLICY":
                    await self.org.DetachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                        policy_id="p-FullAWSAccess", target_id=node))
                    if node == self.root_id:
                        on_root.append("p-FullAWSAccess")
        return on_root

    async def _restore_root(self, on_root: list[str]) -> None:
        """The organization root as every other scenario expects it: FullAWSAccess alone."""
        if not on_root:
            return
        if "p-FullAWSAccess" in on_root:
            await self.org.AttachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                policy_id="p-FullAWSAccess", target_id=self.root_id))
        for policy_id in on_root:
            if policy_id != "p-FullAWSAccess":
                await self.org.DetachOrganizationPolicy(opb.OrganizationPolicyTargetRequest(
                    policy_id=policy_id, target_id=self.root_id))

    async def _authorize(self, s: dict, principal: dict[str, Any], r_account: str) -> str:
        req = s["request"]
        context = {k: (apb.ContextValue(values=v, multivalued=True) if isinstance(v, list)
                       else apb.ContextValue(values=[v]))
                   for k, v in req["context"].items()
                   if not is_derived_key(k) and not k.lower().startswith(("aws:resourcetag/", "aws:resourceaccount",
                                                                           "aws:resourceorg"))}
        resource_tags = {k.split("/", 1)[1]: v for k, v in req["context"].items()
                         if k.lower().startswith("aws:resourcetag/")}
        asker = self.iamd.authz
        if TIMED.search(_documents(s)):
            # The decision at the scenario's moment: the server's clock (and the asker's signing
            # clock with it) moves there.
            moment = _context(s).get("aws:currenttime", datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
            self.iamd.clock.offset = (_when(moment) - datetime.now(UTC)).total_seconds()
            asker = authorization_pb2_grpc.AuthorizationServiceStub(self.timed_channel)
        try:
            answer = await asker.Authorize(apb.AuthorizeRequest(
                **principal, action=req["action"], resource=req["resource"], resource_account=r_account,
                context=context, resource_policy=json.dumps(s["resourcePolicy"]) if s.get("resourcePolicy") else "",
                resource_tags=resource_tags, has_resource_tags=True))
        finally:
            self.iamd.clock.offset = 0.0
        return DECISION[answer.decision]


@pytest.mark.timeout(900)  # 672 scenarios, each a few dozen real calls (about a minute here)
async def test_guardrail_and_cross_account_scenarios_through_real_accounts(iamd: Iamd) -> None:
    org = organizations_pb2_grpc.OrganizationsServiceStub(iamd.channel)
    created_org = await create_organization(org)
    await iamd.iam.CreateUser(ipb.CreateUserRequest(user_name="admin"))
    await iamd.iam.PutInlinePolicy(ipb.PutInlinePolicyRequest(
        target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name="admin"), policy_name="assume",
        policy_document=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})))
    key = (await iamd.iam.CreateAccessKey(ipb.CreateAccessKeyRequest(user_name="admin"))).access_key
    timed_channel = iamd.connect(iamd.root)  # signs on the server's clock, wherever the test sets it
    materialiser = Materialiser(iamd, org, created_org.id, created_org.root_id,
                                Credentials(key.access_key_id, key.secret_access_key), timed_channel)
    everything, _ = candidates()
    # All of them (about a minute here); IAMD_CORPUS_SAMPLE=N runs every N-th for a quicker look.
    scenarios = everything[::int(os.environ.get("IAMD_CORPUS_SAMPLE", "1"))]
    kinds = Counter(principal_kind(s) for s in scenarios)
    assert set(kinds) == {"user", "session", "federated", "service", "anonymous"}, kinds
    wrong: list[str] = []
    for n, scenario in enumerate(scenarios):
        got = await materialiser.decide(n, scenario)
        if got != expected_decision(scenario):
            wrong.append(f"{scenario['id']}: {got} != {expected_decision(scenario)}")
    await timed_channel.close()
    assert not wrong, f"{len(wrong)} of {len(scenarios)}: {wrong[:15]}"
