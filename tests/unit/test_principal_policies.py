"""projections/principals.py: what a principal's compiled set holds, and when it is compiled."""

from __future__ import annotations

import json

import pytest

from iamd.projections.identity import AccountView, IdentityProjection
from iamd.projections.principals import PrincipalPolicyCache
from iamd.service.domain.errors import MalformedPolicyDocumentError

ACCOUNT = "123456789012"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _cache(trust_policy: str) -> PrincipalPolicyCache:
    projection = IdentityProjection()
    role = {"name": "app", "id": "AROAAPPXXXXXXXXXXXXXX", "arn": f"arn:aws:iam::{ACCOUNT}:role/app", "path": "/",
            "created_at": "2026-12-01T00:00:00Z", "attached": [], "inline": {}, "boundary": "", "tags": {},
            "trust_policy": trust_policy, "description": "", "max_session_duration": 3600}
    projection.accounts[ACCOUNT] = AccountView(ACCOUNT, "2026-12-01T00:00:00Z", {}, {}, {"app": role}, {})
    return PrincipalPolicyCache(projection)


def test_a_roles_trust_policy_is_compiled_only_when_asked_for() -> None:
    cache = _cache(TRUST)
    role = cache.get(ACCOUNT, "role", "app")
    assert role is not None and not cache._compiled  # deciding the role's permissions compiles no trust
    trust = role.trust
    assert trust is not None and [p.policy_id for p in trust.policies] == [f"arn:aws:iam::{ACCOUNT}:role/app#trust"]
    assert role.trust.policies == trust.policies  # compiled once, shared afterwards
    assert cache.get(ACCOUNT, "role", "app").trust_policy is role.trust_policy


def test_a_stored_trust_policy_that_no_longer_compiles_refuses_only_what_needs_it() -> None:
    cache = _cache('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}')  # no Action, no Principal
    role = cache.get(ACCOUNT, "role", "app")
    assert role is not None  # its permissions are still decided
    with pytest.raises(MalformedPolicyDocumentError, match=f"trust policy of arn:aws:iam::{ACCOUNT}:role/app"):
        role.trust
