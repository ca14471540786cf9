"""The mixed load of the chaos scenarios and the checks that follow it.

Each writer is a client task with users of its own: CreateUser (and, now and then, CreateUser of
a name it already has: a refusal), AttachPolicy, PutInlinePolicy, CreateAccessKey, Authorize and
AuthorizeBatch. The ledger keeps what every call implies: acknowledged (OK) writes must be there
after anything; unacknowledged ones (refused, or no answer) may or may not be.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from typing import Any

import grpc

from iamd.client.credentials import Credentials
from iamd.v1 import audit_pb2
from iamd.v1 import authorization_pb2 as apb
from iamd.v1 import common_pb2 as pb
from iamd.v1 import identity_pb2 as ipb

from .harness import ACCOUNT, IN_DOUBT, OK, Clients, IamdProcess, Outcome, audit_records, call, policy

MANAGED = 4  # managed policies P0..P3; Pi allows svc{i}:Do
MAX_INLINE = 3  # inline policies per user (a user's inline policies share a 2,048-character quota)
MAX_KEYS = 2  # access keys per user (AWS's quota)
MAYBE = "MAYBE"  # a write that was not acknowledged: it may or may not have taken effect


MANAGED = 4  # managed policies P0..P3; Pi allows svc{i}:Do
MAX_INLINE = 3  # inline policies per user (a user's inline policies share a 2,048-character quota)
MAX_KEYS = 2  # access keys per user (AWS's quota)
MAYBE = "MAYBE"  # a write that was not acknowledged: it may or may not have taken effect


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def managed_arn(i: int) -> str:
    return f"arn:aws:iam::{ACCOUNT}:policy/chaos-P{i}"


# The RPCs the load calls on users, by the AWS operation CloudTrail names them (docs/aws-compatibility.md).
CLOUDTRAIL_NAMES = {"AttachPolicy": "AttachUserPolicy", "PutInlinePolicy": "PutUserPolicy"}

@dataclass
class UserModel:
    """What acknowledged (OK) and unacknowledged (MAYBE) calls imply for one user."""

    name: str
    created: str  # OK | MAYBE
    attached: dict[str, str] = field(default_factory=dict)  # policy ARN -> OK | MAYBE
    inline: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (document, OK | MAYBE)
    keys: dict[str, str] = field(default_factory=dict)  # acknowledged key id -> secret
    maybe_keys: int = 0
    position: int = 0  # the log position of its last acknowledged write

    def settled(self) -> bool:
        """Nothing unacknowledged touches it: its decisions are known exactly."""
        return (self.created == OK and MAYBE not in self.attached.values()
                and all(s == OK for _, s in self.inline.values()) and not self.maybe_keys)

    def allowed_actions(self) -> set[str]:
        return ({f"svc{i}:Do" for i in range(MANAGED) if self.attached.get(managed_arn(i)) == OK}
                | {f"inl:{name}" for name, (_, s) in self.inline.items() if s == OK})

    def candidate_actions(self) -> list[str]:
        return [f"svc{i}:Do" for i in range(MANAGED)] + [f"inl:{n}" for n in self.inline] + ["inl:never"]


@dataclass
class Answered:
    """One call and how it ended, with what its audit record must show."""

    operation: str
    outcome: Outcome
    parameters: dict[str, Any]  # rendered requestParameters it must carry
    decisions: list[str] | None = None  # Authorize/AuthorizeBatch: the decisions answered
    secret: str = ""  # CreateAccessKey: the secret that must appear in no record
    no_change: bool = False  # a write that changes nothing (attaching an attached policy): no event


@dataclass
class Ledger:
    users: dict[str, UserModel] = field(default_factory=dict)
    answered: list[Answered] = field(default_factory=list)
    in_doubt: int = 0
    in_doubt_codes: dict[str, int] = field(default_factory=dict)  # the gRPC codes of calls without an answer


def _grant_request(principal: str, action: str, min_position: int) -> apb.AuthorizeRequest:
    return apb.AuthorizeRequest(principal_arn=principal, action=action, resource="arn:aws:s3:::bucket/key",
                                min_position=min_position)


class Writer:
    """One client task: makes random calls on users of its own until the server stops answering."""

    def __init__(self, clients: Clients, ledger: Ledger, prefix: str, rng: random.Random,
                 stop: asyncio.Event | None = None) -> None:
        self.c = clients
        self.stop = stop or asyncio.Event()
        self.ledger = ledger
        self.prefix = prefix
        self.rng = rng
        self.mine: list[UserModel] = []
        self.serial = 0

    def _record(self, operation: str, outcome: Outcome, parameters: dict[str, Any], **extra: Any) -> bool:
        """Keep an answered call; False when the call is in doubt (the task then stops). INTERNAL
        and UNKNOWN are failures even without an IAM code (an exception that escaped iamd)."""
        assert outcome.grpc_code not in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN), \
            f"{operation} answered {outcome.grpc_code.name} {outcome.code}: {outcome.details}"
        if outcome.status == IN_DOUBT:
            self.ledger.in_doubt += 1
            self.ledger.in_doubt_codes[outcome.grpc_code.name] = self.ledger.in_doubt_codes.get(
                outcome.grpc_code.name, 0) + 1
            return False
        self.ledger.answered.append(Answered(operation, outcome, parameters, **extra))
        return True

    async def run(self) -> None:
        while not self.stop.is_set():
            ready = [u for u in self.mine if u.created == OK]
            choice = self.rng.random()
            if ready and choice < 0.03:
                alive = await self.create_existing(self.rng.choice(ready))
            elif not ready or choice < 0.2:
                alive = await self.create_user()
            elif choice < 0.4:
                alive = await self.attach(self.rng.choice(ready))
            elif choice < 0.55:
                alive = await self.put_inline(self.rng.choice(ready))
            elif choice < 0.65:
                alive = await self.create_key(self.rng.choice(ready))
            elif choice < 0.85:
                alive = await self.authorize(self.rng.choice(ready))
            else:
                alive = await self.authorize_batch(self.rng.sample(ready, min(len(ready), 3)))
            if not alive:
                return

    async def create_user(self) -> bool:
        self.serial += 1
        name = f"{self.prefix}-u{self.serial}"
        outcome = await call(self.c.iam.CreateUser, ipb.CreateUserRequest(user_name=name))
        model = UserModel(name, OK if outcome.ok else MAYBE)
        if outcome.ok:
            model.position = outcome.response.position
        self.ledger.users[name] = model
        self.mine.append(model)
        return self._record("CreateUser", outcome, {"userName": name})

    async def create_existing(self, user: UserModel) -> bool:
        """A refusal (EntityAlreadyExists): answered, so it has its record too."""
        outcome = await call(self.c.iam.CreateUser, ipb.CreateUserRequest(user_name=user.name))
        assert outcome.status == IN_DOUBT or outcome.code in ("EntityAlreadyExists", "ServiceUnavailable"), outcome
        return self._record("CreateUser", outcome, {"userName": user.name})

    async def attach(self, user: UserModel) -> bool:
        arn = managed_arn(self.rng.randrange(MANAGED))
        if user.attached.get(arn) == OK:
            arn = managed_arn(self.rng.randrange(MANAGED))  # attaching again is allowed (and idempotent)
        no_change = user.attached.get(arn) == OK
        outcome = await call(self.c.iam.AttachPolicy, ipb.AttachPolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=user.name), policy_arn=arn))
        if outcome.ok:
            user.attached[arn] = OK
            user.position = outcome.response.position
        elif user.attached.get(arn) != OK:
            user.attached[arn] = MAYBE
        return self._record("AttachPolicy", outcome, {"policyArn": arn}, no_change=no_change)

    async def put_inline(self, user: UserModel) -> bool:
        if len(user.inline) >= MAX_INLINE:
            return await self.authorize(user)
        name = f"i{len(user.inline)}"
        document = policy(f"inl:{name}")
        outcome = await call(self.c.iam.PutInlinePolicy, ipb.PutInlinePolicyRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=user.name), policy_name=name,
            policy_document=document))
        user.inline[name] = (document, OK if outcome.ok else MAYBE)
        if outcome.ok:
            user.position = outcome.response.position
        return self._record("PutInlinePolicy", outcome, {"policyName": name})

    async def create_key(self, user: UserModel) -> bool:
        if len(user.keys) + user.maybe_keys >= MAX_KEYS:
            return await self.authorize(user)
        outcome = await call(self.c.iam.CreateAccessKey, ipb.CreateAccessKeyRequest(user_name=user.name))
        secret = ""
        if outcome.ok:
            key = outcome.response.access_key
            user.keys[key.access_key_id] = secret = key.secret_access_key
            user.position = outcome.response.position
        else:
            user.maybe_keys += 1
        return self._record("CreateAccessKey", outcome, {"userName": user.name}, secret=secret)

    async def authorize(self, user: UserModel) -> bool:
        action = self.rng.choice(user.candidate_actions())
        outcome = await call(self.c.authz.Authorize, _grant_request(user_arn(user.name), action, user.position))
        if outcome.ok and user.settled():
            expected = apb.DECISION_ALLOW if action in user.allowed_actions() else apb.DECISION_IMPLICIT_DENY
            assert outcome.response.decision == expected, \
                f"Authorize {user.name} {action}: {apb.Decision.Name(outcome.response.decision)}"
        decisions = [apb.Decision.Name(outcome.response.decision)] if outcome.ok else None
        return self._record("Authorize", outcome, {"action": action, "principalArn": user_arn(user.name)},
                            decisions=decisions)

    async def authorize_batch(self, users: list[UserModel]) -> bool:
        requests = [_grant_request(user_arn(u.name), self.rng.choice(u.candidate_actions()), u.position)
                    for u in users]
        outcome = await call(self.c.authz.AuthorizeBatch, apb.AuthorizeBatchRequest(requests=requests))
        decisions = ([apb.Decision.Name(r.decision) for r in outcome.response.responses] if outcome.ok else None)
        if outcome.ok:
            for u, request, response in zip(users, requests, outcome.response.responses):
                if u.settled():
                    expected = (apb.DECISION_ALLOW if request.action in u.allowed_actions()
                                else apb.DECISION_IMPLICIT_DENY)
                    assert response.decision == expected, f"AuthorizeBatch {u.name} {request.action}"
        return self._record("AuthorizeBatch", outcome, {}, decisions=decisions)


async def setup_policies(server: IamdProcess) -> None:
    c = server.clients()
    for i in range(MANAGED):
        await c.iam.CreatePolicy(ipb.CreatePolicyRequest(policy_name=f"chaos-P{i}", policy_document=policy(f"svc{i}:Do")),
                                 timeout=20)


async def _pages(method: Any, request: Any, field_name: str) -> list[Any]:
    items: list[Any] = []
    while True:
        reply = await method(request, timeout=30)
        items += list(getattr(reply, field_name))
        if not reply.is_truncated:
            return items
        request.page.marker = reply.marker


async def verify_state(c: Clients, ledger: Ledger) -> dict[str, Any]:
    """The restored state against what the calls implied; returns counts of what was checked."""
    details = await c.iam.GetAccountAuthorizationDetails(
        ipb.GetAccountAuthorizationDetailsRequest(filter=[pb.ENTITY_KIND_USER]), timeout=60)
    present = {d.user.user_name: d for d in details.user_detail_list if d.user.user_name.startswith("chaos-")}
    checked = {"users": 0, "attachments": 0, "inline": 0, "keys": 0, "keys_signing": 0}
    unknown = set(present) - set(ledger.users)
    assert not unknown, f"users nobody asked for: {sorted(unknown)}"
    batch: list[tuple[str, str, bool]] = []  # (user, action, allowed by the restored state)
    for name, model in ledger.users.items():
        if model.created == OK:
            checked["users"] += 1
            assert name in present, f"acknowledged CreateUser {name} lost"
        if name not in present:
            assert not model.attached and not model.inline and not model.keys, name
            continue
        detail = present[name]
        attached = {p.policy_arn for p in detail.attached_managed_policies}
        acked = {arn for arn, s in model.attached.items() if s == OK}
        checked["attachments"] += len(acked)
        assert acked <= attached, f"{name}: acknowledged attachments lost: {acked - attached}"
        assert attached <= set(model.attached), f"{name}: attachments nobody asked for: {attached - set(model.attached)}"
        inline = {p.policy_name: p.policy_document for p in detail.user_policy_list}
        for pname, (document, status) in model.inline.items():
            if status == OK:
                checked["inline"] += 1
                assert pname in inline, f"{name}: acknowledged inline policy {pname} lost"
            if pname in inline:
                assert json.loads(inline[pname]) == json.loads(document), f"{name}/{pname}: another document"
        assert set(inline) <= set(model.inline), f"{name}: inline policies nobody asked for"
        if model.keys or model.maybe_keys:
            listed = await _pages(c.iam.ListAccessKeys, ipb.ListAccessKeysRequest(user_name=name),
                                  "access_key_metadata")
            ids = {k.access_key_id: k.status for k in listed}
            checked["keys"] += len(model.keys)
            for key_id in model.keys:
                assert ids.get(key_id) == "Active", f"{name}: acknowledged key {key_id} lost or not active"
            assert len(ids) <= len(model.keys) + model.maybe_keys, f"{name}: keys nobody asked for"
        allowed = ({f"svc{p.policy_arn.rsplit('-P', 1)[1]}:Do" for p in detail.attached_managed_policies}
                   | {f"inl:{n}" for n in inline})
        assert model.allowed_actions() <= allowed
        for action in model.candidate_actions():
            batch.append((name, action, action in allowed))
    # Decisions from the restored state, as one caller would ask them
    for start in range(0, len(batch), 500):
        chunk = batch[start:start + 500]
        reply = await c.authz.AuthorizeBatch(apb.AuthorizeBatchRequest(
            requests=[_grant_request(user_arn(n), a, 0) for n, a, _ in chunk]), timeout=60)
        for (n, a, allowed), r in zip(chunk, reply.responses):
            expected = apb.DECISION_ALLOW if allowed else apb.DECISION_IMPLICIT_DENY
            assert r.decision == expected, f"after restart, {n} {a}: {apb.Decision.Name(r.decision)}"
    checked["decisions_after_restart"] = len(batch)
    return checked


async def verify_keys_sign(server: IamdProcess, ledger: Ledger, rng: random.Random, limit: int = 12) -> int:
    """Acknowledged keys still authenticate after the restart (a sample: each is its own channel)."""
    keys = [(u.name, k, s) for u in ledger.users.values() for k, s in u.keys.items()]
    sample = rng.sample(keys, min(limit, len(keys)))
    for name, key_id, secret in sample:
        c = server.clients(Credentials(key_id, secret))
        assert await c.caller_arn() == user_arn(name), f"key {key_id} of {name} no longer signs"
    return len(sample)


async def verify_audit(c: Clients, ledger: Ledger, present_users: list[str], *,
                       refusals_may_lack_record: bool = False, unstored_allowed: int = 0,
                       lossy_operations: frozenset[str] = frozenset()) -> dict[str, int]:
    """Every answered call has its record. Exceptions, for a disk that filled: a call refused with
    ServiceUnavailable (its record could not be stored either); with `refusals_may_lack_record`
    any refusal (its error stands, its record is best effort); with async audit up to
    `unstored_allowed` others (the records iamd counted as lost); and calls of `lossy_operations`
    (async audit, then kill -9: records still queued die with the process; "no-change writes":
    writes that committed no event, so no event carries their record's facts)."""
    records = await audit_records(c)
    checked = {"answered_ok": 0, "answered_refused": 0, "identity_events": 0, "refused_without_record": 0,
               "answered_without_record": 0}
    secrets = [a.secret for a in ledger.answered if a.secret]
    missing = []
    for answered in ledger.answered:
        outcome = answered.outcome
        assert outcome.request_id, f"{answered.operation} answered without an x-request-id"
        found = records.get(outcome.request_id, [])
        if not found and (outcome.code == "ServiceUnavailable" or (outcome.code and refusals_may_lack_record)):
            checked["refused_without_record"] += 1
            continue
        if not found and (answered.operation in lossy_operations
                          or (answered.no_change and "no-change writes" in lossy_operations)):
            checked["lost_with_the_process"] = checked.get("lost_with_the_process", 0) + 1
            continue
        if not found and unstored_allowed:
            missing.append(answered)
            checked["answered_without_record"] += 1
            continue
        assert found, (f"{answered.operation} answered {outcome.status} {outcome.code} "
                       f"(request {outcome.request_id}) has no audit record")
        record = found[0]
        assert record["eventName"] == CLOUDTRAIL_NAMES.get(answered.operation, answered.operation), record
        if outcome.ok:
            checked["answered_ok"] += 1
            assert "errorCode" not in record, record
        elif outcome.code == "ServiceUnavailable" and (record.get("addendum") or {}).get("reason") == "SERVICE_OUTAGE":
            # Refused because its record could not be stored, after its events had landed: the
            # record was rebuilt from them at the next start (the call took effect).
            checked["refused_but_took_effect"] = checked.get("refused_but_took_effect", 0) + 1
        else:
            checked["answered_refused"] += 1
            assert record.get("errorCode") == outcome.code, record
        parameters = record.get("requestParameters") or {}
        for key, value in answered.parameters.items():
            actual = parameters.get(key)
            assert actual == value or (key == "principalArn" and actual is None), \
                f"{answered.operation} record: {key}={actual!r}, expected {value!r}: {record}"
        if answered.decisions is not None:
            extra = record.get("additionalEventData") or {}
            recorded = ([extra.get("decision")] if answered.operation == "Authorize"
                        else [d.get("decision") for d in extra.get("decisions") or []])
            assert recorded == answered.decisions, f"{answered.operation}: answered {answered.decisions}, " \
                                                   f"recorded {recorded}"
    assert len(missing) <= unstored_allowed, (f"{len(missing)} answered calls have no record; iamd counted "
                                              f"{unstored_allowed} records it could not store")
    # The CloudTrail lookup finds a sample of them by event id, with the same content
    stored = [a for a in ledger.answered if a.outcome.request_id in records]
    sample = random.sample(stored, min(20, len(stored)))
    for answered in sample:
        record = records[answered.outcome.request_id][0]
        reply = await c.audit.LookupEvents(audit_pb2.LookupEventsRequest(lookup_attributes=[
            audit_pb2.LookupAttribute(attribute_key="EventId", attribute_value=record["eventID"])]), timeout=30)
        assert [e.event_name for e in reply.events] == [CLOUDTRAIL_NAMES.get(answered.operation, answered.operation)], \
            reply
        looked_up = json.loads(reply.events[0].cloud_trail_event)
        assert looked_up["requestID"] == answered.outcome.request_id
        assert looked_up.get("errorCode") == record.get("errorCode")
        checked["looked_up"] = checked.get("looked_up", 0) + 1
    # No secret in any stored record
    if secrets:
        text = json.dumps(records)
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{len(leaked)} access-key secrets in audit records"
    # Every identity event of a chaos user has its call's record (rebuilt when the call was in doubt)
    for name in present_users:
        history = await c.audit.GetEntityHistory(audit_pb2.GetEntityHistoryRequest(
            target=pb.EntityRef(kind=pb.ENTITY_KIND_USER, name=name)), timeout=30)
        for event in history.events:
            checked["identity_events"] += 1
            assert event.request_id in records, (f"{event.type} of {name} at {event.position} (request "
                                                 f"{event.request_id}) has no audit record")
    return checked


