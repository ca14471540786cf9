"""Small builders shared by the policy-engine tests: documents, requests, inputs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from typing import Any

from iamd.service.policy import (
    AuthorizationRequest,
    CompiledPolicy,
    Decision,
    PolicyIndex,
    PolicyInputs,
    PolicyType,
    compile_policy,
    decide,
)

ACCOUNT = "111111111111"
OTHER_ACCOUNT = "222222222222"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
BOB_ELSEWHERE = f"arn:aws:iam::{OTHER_ACCOUNT}:user/bob"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/AppRole"
SESSION = f"arn:aws:sts::{ACCOUNT}:assumed-role/AppRole/sess-1"
FEDERATED = f"arn:aws:sts::{ACCOUNT}:federated-user/alice"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"

_ids = itertools.count()


def doc(*statements: Mapping[str, Any], version: str | None = "2012-10-17") -> str:
    body: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        body = {"Version": version, **body}
    return json.dumps(body)


def policy(
    *statements: Mapping[str, Any],
    policy_type: PolicyType = PolicyType.IDENTITY,
    version: str | None = "2012-10-17",
    policy_id: str | None = None,
) -> CompiledPolicy:
    return compile_policy(
        doc(*statements, version=version),
        policy_id=policy_id or f"p{next(_ids)}",
        policy_type=policy_type,
    )


def index(*policies: CompiledPolicy) -> PolicyIndex:
    return PolicyIndex(policies)


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def user_context(name: str = "alice", account: str = ACCOUNT, **extra: Any) -> dict[str, Any]:
    return {
        "aws:PrincipalArn": f"arn:aws:iam::{account}:user/{name}",
        "aws:PrincipalAccount": account,
        "aws:PrincipalType": "User",
        "aws:username": name,
        "aws:SecureTransport": "true",
        **extra,
    }


def request(
    action: str = "sqs:SendMessage",
    resource: str = QUEUE,
    *,
    principal: str = ALICE,
    context: Mapping[str, Any] | None = None,
    resource_account: str | None = None,
) -> AuthorizationRequest:
    return AuthorizationRequest(
        principal=principal,
        action=action,
        resource=resource,
        resource_account=resource_account,
        context=user_context() if context is None else context,
    )


def identity_decision(
    statements: Sequence[Mapping[str, Any]],
    req: AuthorizationRequest | None = None,
    **inputs: Any,
) -> Decision:
    """Decide with one identity policy holding `statements`."""
    ident = index(policy(*statements))
    return decide(req or request(), PolicyInputs(identity=ident, **inputs))


def condition_holds(
    operator: str,
    key: str,
    values: Any,
    context: Mapping[str, Any],
    *,
    version: str | None = "2012-10-17",
) -> bool:
    """Whether an Allow statement with this single condition applies to a request."""
    statement = allow(Condition={operator: {key: values}})
    ident = index(policy(statement, version=version))
    decision = decide(request(context=context), PolicyInputs(identity=ident))
    return decision.allowed
