"""The decision of a request that the caller's identity policies alone grant is made once and
kept with the plan's analysis (decision._granted_by_identity). It must be what the general path
answers: an RCP level without statements changes no verdict (RCPs only deny) but takes the
request off the shortcut, so the two decisions are compared on random policies and callers."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamd.service.policy import Effect, PolicyIndex, PolicyInputs, decide
from iamd.service.policy.index import EMPTY_INDEX

from .helpers import ACCOUNT, ALICE, FEDERATED, OTHER_ACCOUNT, SESSION, request, user_context
from .test_properties import CONTEXTS, compiled, policies

ROOT = f"arn:aws:iam::{ACCOUNT}:root"
REQUESTS = [
    ("s3:GetObject", "arn:aws:s3:::bucket/alice/x"),
    ("s3:PutObject", "arn:aws:s3:::other/y"),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"),
    # Services with rules of their own (decision.SERVICE_RULES) never take the shortcut.
    ("iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    ("kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k"),
    ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/R"),
]
# A session's context names its role; the rest take the user's.
PRINCIPALS = [ALICE, ROOT, SESSION, FEDERATED, "s3.amazonaws.com", "anonymous"]


ALLOW_ALL = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]


# Mostly requests the shortcut may take (identity policies that grant, the caller's account, no
# other policy type), and each way of missing it often enough to be seen.
@settings(max_examples=500, deadline=None)
@given(
    policies.map(lambda found: [ALLOW_ALL, *found]) | policies,
    st.sampled_from(REQUESTS),
    st.sampled_from(CONTEXTS + [{}]),
    st.sampled_from(PRINCIPALS[:1] * 4 + PRINCIPALS),
    st.sampled_from([ACCOUNT, ACCOUNT, None, OTHER_ACCOUNT]),
    st.sampled_from(["none"] * 3 + ["boundary", "session", "scp"]),  # another policy type taking part
)
def test_the_kept_decision_is_the_general_paths(identity, action_resource, context, principal, resource_account,
                                                 other):
    action, resource = action_resource
    if principal == SESSION and context:
        context = {**context, "aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/AppRole"}
    req = request(action, resource, principal=principal, context=context, resource_account=resource_account)
    inputs = PolicyInputs(identity=PolicyIndex(compiled(identity)))
    if other == "boundary":
        inputs.boundary = EMPTY_INDEX  # a boundary that allows nothing
    elif other == "session":
        inputs.session = EMPTY_INDEX
    elif other == "scp":
        inputs.scp_levels = (EMPTY_INDEX,)
    general = replace(inputs, rcp_levels=(EMPTY_INDEX,))
    first, again, expected = decide(req, inputs), decide(req, inputs), decide(req, general)
    assert first == expected
    assert again == expected  # the kept decision, on the second request


def test_a_request_the_identity_policies_grant_alone_gets_the_kept_decision():
    inputs = PolicyInputs(identity=PolicyIndex(compiled([[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]])))
    req = request("s3:GetObject", "arn:aws:s3:::bucket/alice/x", context=user_context(), resource_account=ACCOUNT)
    first, again = decide(req, inputs), decide(req, inputs)
    assert first.decision is Effect.ALLOW and again is first
    assert [ref.index for ref in first.determining] == [0]
    assert dict(first.results) == dict(decide(req, replace(inputs, rcp_levels=(EMPTY_INDEX,))).results)


# Each way a request granted by identity policies must miss the shortcut, checked every run.
@pytest.mark.parametrize(("principal", "action", "resource", "resource_account", "other", "context"), [
    (FEDERATED, "s3:GetObject", "arn:aws:s3:::b/k", ACCOUNT, "none", None),  # its session policy must allow
    ("anonymous", "s3:GetObject", "arn:aws:s3:::b/k", ACCOUNT, "none", {}),
    (ALICE, "iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/ReadOnlyAccess", ACCOUNT, "none", None),
    (ALICE, "kms:Decrypt", f"arn:aws:kms:us-east-1:{ACCOUNT}:key/k", None, "none", None),
    (ALICE, "s3:GetObject", "arn:aws:s3:::b/k", OTHER_ACCOUNT, "none", None),
    (ALICE, "s3:GetObject", "arn:aws:s3:::b/k", ACCOUNT, "scp", None),
    (ALICE, "s3:GetObject", "arn:aws:s3:::b/k", ACCOUNT, "boundary", None),
    (ALICE, "s3:GetObject", "arn:aws:s3:::b/k", ACCOUNT, "missing", {}),
])
def test_each_way_off_the_shortcut(principal, action, resource, resource_account, other, context):
    identity = [ALLOW_ALL]
    if other == "missing":  # a Deny whose variable has no value: nothing denied, a key missing
        identity.append([{"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::b/${aws:username}"}])
        other = "none"
    test_the_kept_decision_is_the_general_paths.hypothesis.inner_test(
        identity, (action, resource), user_context() if context is None else context, principal,
        resource_account, other)
