"""Hypothesis properties of the engine, and differential tests against a naive matcher."""

from __future__ import annotations

import functools
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from iamd.service.policy import Effect, PolicyIndex, PolicyInputs, PolicyType, compile_policy, decide
from iamd.service.policy.matching import compile_resources
from iamd.service.policy.variables import TemplateGlob, parse_template
from iamd.service.policy.wildcard import compile_globs, match_pieces, tokens_of

from .helpers import ACCOUNT, request, user_context

# --- the wildcard matcher against a naive recursive reference -------------------------------


@functools.lru_cache(maxsize=None)
def naive_glob(pattern: str, text: str) -> bool:
    """Reference semantics: `*` any run (possibly empty), `?` one character, else literal."""
    if not pattern:
        return not text
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        return naive_glob(rest, text) or (bool(text) and naive_glob(pattern, text[1:]))
    if not text:
        return False
    return (head == "?" or head == text[0]) and naive_glob(rest, text[1:])


GLOB_ALPHABET = "ab*?.[]\\$:/"
TEXT_ALPHABET = "ab.[]\\$:/*?"


@settings(max_examples=400, deadline=None)
@given(st.text(GLOB_ALPHABET, max_size=8), st.text(TEXT_ALPHABET, max_size=10))
def test_compiled_glob_agrees_with_naive_matcher(pattern, text):
    expected = naive_glob(pattern, text)
    assert compile_globs([pattern])(text) is expected
    assert match_pieces(tokens_of(pattern), text) is expected
    assert TemplateGlob(parse_template(pattern, variables=False, wildcards=True)).match(text, {}, None) is expected


@settings(max_examples=200, deadline=None)
@given(st.text("aB*?", max_size=6), st.text("abAB", max_size=8))
def test_case_insensitive_glob_agrees_with_naive_matcher(pattern, text):
    assert compile_globs([pattern], ignore_case=True)(text) is naive_glob(pattern.lower(), text.lower())


@settings(max_examples=300, deadline=None)
@given(st.text("ab/:*?", max_size=8), st.text("ab/:", max_size=10))
def test_resource_part_of_an_arn_matches_like_the_naive_glob(pattern, text):
    matcher = compile_resources(["arn:aws:s3:::" + pattern], variables=False)
    assert matcher("arn:aws:s3:::" + text, {}, None) is naive_glob(pattern, text)


@settings(max_examples=200, deadline=None)
@given(st.text("ab/*?", max_size=6), st.text("ab/", max_size=4), st.text("ab/", max_size=8))
def test_variable_template_matches_like_the_substituted_glob(prefix, value, text):
    pattern = prefix + "${aws:username}*"
    matcher = compile_resources(["arn:aws:s3:::" + pattern], variables=True)
    expected = naive_glob(prefix + value + "*", text)  # `value` holds no wildcard characters
    ctx = {"aws:username": value}
    assert matcher("arn:aws:s3:::" + text, ctx, None) is expected


# --- decisions ----------------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "sqs:SendMessage", "s3:*", "s3:Get*", "*", "sqs:*", "s3:Put?bject"]
RESOURCES = ["*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::other/*", "arn:aws:s3:::bucket/${aws:username}/*",
             f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"]
CONDITIONS = [
    None,
    {"StringEquals": {"aws:username": "alice"}},
    {"StringNotEquals": {"aws:username": "alice"}},
    {"Bool": {"aws:SecureTransport": "true"}},
    {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
    {"StringLikeIfExists": {"aws:PrincipalTag/team": "r*"}},
    {"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}},
    {"Null": {"aws:TokenIssueTime": "true"}},
]
REQUESTS = [
    ("s3:GetObject", "arn:aws:s3:::bucket/alice/x"),
    ("s3:PutObject", "arn:aws:s3:::other/y"),
    ("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{ACCOUNT}:orders"),
]
CONTEXTS = [
    user_context(),
    user_context(**{"aws:SourceIp": "10.1.2.3", "aws:TagKeys": ["env", "team"]}),
    user_context("bob", **{"aws:SecureTransport": "false", "aws:PrincipalTag/team": "red"}),
]


@st.composite
def statements(draw, effects=("Allow", "Deny")):
    stmt = {
        "Effect": draw(st.sampled_from(effects)),
        ("NotAction" if draw(st.booleans()) and draw(st.booleans()) else "Action"): draw(
            st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2)
        ),
        ("NotResource" if draw(st.booleans()) and draw(st.booleans()) else "Resource"): draw(
            st.sampled_from(RESOURCES)
        ),
    }
    condition = draw(st.sampled_from(CONDITIONS))
    if condition:
        stmt["Condition"] = condition
    return stmt


policies = st.lists(st.lists(statements(), min_size=1, max_size=3), min_size=0, max_size=3)
requests_ = st.tuples(st.sampled_from(REQUESTS), st.sampled_from(CONTEXTS))


def compiled(policy_statements, policy_type=PolicyType.IDENTITY):
    return [
        compile_policy(json.dumps({"Version": "2012-10-17", "Statement": stmts}), policy_id=f"p{i}", policy_type=policy_type)
        for i, stmts in enumerate(policy_statements)
    ]


def run(identity, boundary=None, req=None):
    (action, resource), ctx = req
    inputs = PolicyInputs(
        identity=PolicyIndex(compiled(identity)),
        boundary=PolicyIndex(compiled(boundary, PolicyType.BOUNDARY)) if boundary is not None else None,
    )
    return decide(request(action, resource, context=ctx, resource_account=ACCOUNT), inputs)


@settings(max_examples=150, deadline=None)
@given(policies, requests_)
def test_a_matching_deny_overrides_everything(identity, req):
    assert run(identity + [[{"Effect": "Deny", "Action": "*", "Resource": "*"}]], req=req).decision is Effect.EXPLICIT_DENY


@settings(max_examples=150, deadline=None)
@given(policies, statements(effects=("Allow",)), requests_)
def test_adding_an_allow_never_turns_allow_into_deny(identity, extra, req):
    before = run(identity, req=req)
    after = run(identity + [[extra]], req=req)
    if before.allowed:
        assert after.allowed


@settings(max_examples=150, deadline=None)
@given(policies, st.lists(st.lists(statements(), min_size=1, max_size=2), min_size=1, max_size=2), requests_)
def test_a_boundary_only_narrows(identity, boundary, req):
    if run(identity, boundary, req).allowed:
        assert run(identity, req=req).allowed


@settings(max_examples=150, deadline=None)
@given(policies, requests_, st.randoms(use_true_random=False))
def test_statement_and_policy_order_is_irrelevant(identity, req, rnd: random.Random):
    shuffled = [rnd.sample(stmts, len(stmts)) for stmts in identity]
    rnd.shuffle(shuffled)
    assert run(shuffled, req=req).decision is run(identity, req=req).decision


@settings(max_examples=150, deadline=None)
@given(policies, requests_)
def test_every_allow_has_a_determining_allow_statement(identity, req):
    decision = run(identity, req=req)
    if decision.allowed:
        assert any(ref.effect.value == "Allow" for ref in decision.determining)
    if decision.decision is Effect.EXPLICIT_DENY:
        assert decision.determining and all(ref.effect.value == "Deny" for ref in decision.determining)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(ACTIONS), st.sampled_from([a for a, _ in REQUESTS]))
def test_not_action_matches_exactly_when_action_does_not(pattern, action):
    req = ((action, "*"), user_context())
    with_action = run([[{"Effect": "Allow", "Action": pattern, "Resource": "*"}]], req=req).allowed
    with_not_action = run([[{"Effect": "Allow", "NotAction": pattern, "Resource": "*"}]], req=req).allowed
    assert with_action is not with_not_action


@settings(max_examples=100, deadline=None)
@given(requests_)
def test_no_policies_is_an_implicit_deny(req):
    assert run([], req=req).decision is Effect.IMPLICIT_DENY


@settings(max_examples=100, deadline=None)
@given(policies, requests_)
def test_a_document_survives_serialise_and_parse(identity, req):
    roundtrip = [json.loads(json.dumps(stmts, indent=2)) for stmts in identity]
    assert run(roundtrip, req=req).decision is run(identity, req=req).decision
