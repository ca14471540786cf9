"""The decision's fast paths agree with the general paths they stand in for (differential).

Deciding takes shortcuts: the index skips statements whose Resource names another service or
cannot match `*`; a literal ARN prefix is tested before (or instead of) a matcher; exact and
`prefix*` ARNs, a resource with one policy variable and a condition on static values skip the
general matchers. Each shortcut must give the same answer, and report the same missing context
keys, as a naive reference (resources) or the general path (conditions).
"""

from __future__ import annotations

import functools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from iamd.service.policy import PolicyIndex, PolicyType, compile_policy
from iamd.service.policy.conditions import compile_condition, parse_operator
from iamd.service.policy.conditions.base import MATCH, NO_MATCH, UNRESOLVED
from iamd.service.policy.principals import EVERYONE, EXACT
from iamd.service.policy.principals import NO_MATCH as NO_MATCH_RANK
from iamd.service.policy.matching import compile_resources, resource_prefixes, resource_services
from iamd.service.policy.variables import Var, has_vars, parse_template
from iamd.service.policy.wildcard import QMARK, STAR

from .test_properties import naive_glob

# --- resources ----------------------------------------------------------------------------

PART = st.one_of(st.sampled_from(["", "a", "ab"]), st.text("ab*?", max_size=3))  # often literal
RESOURCE_PART = st.sampled_from(["", "a", "b/", "${aws:username}", "${*}", "x${aws:username}/", "${aws:userid, 'd'}"])


@st.composite
def arn_patterns(draw):
    parts = [draw(st.sampled_from(["arn", "arn", "nope"]))] + [draw(PART) for _ in range(4)]
    tail = "".join(draw(st.lists(st.one_of(RESOURCE_PART, PART), max_size=3)))
    return ":".join(parts + [tail])


RESOURCES_TEXT = st.text("ab:/*xd", max_size=14)
resources = st.one_of(
    st.builds(lambda p, r: f"arn:{p}:{r}", st.sampled_from(["a", "b", "ab", ""]), RESOURCES_TEXT),
    st.just("*"),
    RESOURCES_TEXT,
)
contexts = st.sampled_from([{}, {"aws:username": "a"}, {"aws:username": "b/", "aws:userid": "x"}, {"aws:userid": "*"}])

def naive_tokens_match(tokens: list[tuple[str, str]], text: str) -> bool:
    """Reference matcher: ("lit", c) one character; ("star"|"qmark", "any"|"part") any run, or
    one character, that may ("any") or may not ("part") include a colon."""

    @functools.lru_cache(maxsize=None)
    def at(i: int, j: int) -> bool:
        if i == len(tokens):
            return j == len(text)
        kind, arg = tokens[i]
        if kind == "lit":
            return j < len(text) and text[j] == arg and at(i + 1, j + 1)
        fits = j < len(text) and (arg == "any" or text[j] != ":")
        if kind == "qmark":
            return fits and at(i + 1, j + 1)
        return at(i + 1, j) or (fits and at(i, j + 1))

    return at(0, 0)


def naive_arn_match(patterns: list[str], resource: str, ctx: dict, missing: list[str]) -> bool:
    """AWS's ARN rules, written out naively: in the first five parts a wildcard stays within its
    part, except a `*` ending a part; in the resource part it spans anything. A pattern with a
    policy variable is tried once its five parts match (each within its part), then the first
    variable without a value is reported missing and the pattern matches nothing."""

    def glob(text: str, crossing: str) -> list[tuple[str, str]]:
        out = []
        for token in parse_template(text, variables=False, wildcards=True):
            if token is STAR or token is QMARK:
                out.append(("star" if token is STAR else "qmark", crossing))
            else:
                out.extend(("lit", c) for c in token)
        return out

    def head(parts: list[str], spanning: bool) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for part in parts:
            tokens = glob(part, "part")
            if spanning and part.endswith("*"):
                tokens[-1] = ("star", "any")
            out.extend(tokens + [("lit", ":")])
        return out

    arns = [p.split(":", 5) for p in patterns if p != "*"]
    if "*" in patterns:
        return True
    arns = [parts for parts in arns if len(parts) == 6 and parts[0] == "arn"]
    dynamic = [parts for parts in arns if has_vars(parse_template(parts[5], variables=True, wildcards=True))]
    for parts in arns:
        if parts not in dynamic:
            tail: list[tuple[str, str]] = []
            for token in parse_template(parts[5], variables=True, wildcards=True):
                if token is STAR or token is QMARK:
                    tail.append(("star" if token is STAR else "qmark", "any"))
                else:
                    tail.extend(("lit", c) for c in token)
            if naive_tokens_match(head(parts[:5], spanning=True) + tail, resource):
                return True
    for parts in dynamic:
        pieces = resource.split(":", 5)
        if len(pieces) != 6 or not naive_tokens_match(head(parts[:5], spanning=False), ":".join(pieces[:5]) + ":"):
            continue
        tail = []
        for token in parse_template(parts[5], variables=True, wildcards=True):
            if type(token) is Var:
                value = ctx.get(token.key)
                value = value if type(value) is str else token.default
                if value is None:
                    missing.append(token.key)
                    break
                tail.extend(("lit", c) for c in value)
            elif token is STAR or token is QMARK:
                tail.append(("star" if token is STAR else "qmark", "any"))
            else:
                tail.extend(("lit", c) for c in token)
        else:
            if naive_tokens_match(tail, pieces[5]):
                return True
    return False


def near(pattern: str, fill: str, suffix: str) -> str:
    """A resource close to `pattern`: wildcards and variables filled in, maybe text appended."""
    text = pattern.replace("${aws:username}", "a").replace("${*}", "\0").replace("${aws:userid, 'd'}", "d")
    return text.replace("*", fill).replace("?", fill[:1] or "b").replace("\0", "*") + suffix


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(arn_patterns(), min_size=1, max_size=3),
    resources,
    contexts,
    st.data(),
)
def test_resource_matching_agrees_with_a_naive_reference(patterns, resource, ctx, data):
    if data.draw(st.booleans()):  # often, a resource near one of the patterns
        resource = near(data.draw(st.sampled_from(patterns)), data.draw(st.text("ab:", max_size=2)),
                        data.draw(st.sampled_from(["", "x", "/y"])))  # fmt: skip
    missing: list[str] = []
    expected_missing: list[str] = []
    matched = compile_resources(patterns, variables=True)(resource, ctx, missing)
    assert matched is naive_arn_match(patterns, resource, ctx, expected_missing)
    assert missing == expected_missing

    # Only statements whose Resource can match the request's ARN service are tried...
    services = resource_services(patterns)
    parts = resource.split(":", 5)
    if matched and services is not None and len(parts) == 6 and parts[0] == "arn":
        assert parts[2] in services
    # ...and their literal prefixes are tested first: never excluding a match, and sufficient
    # on their own when decisive.
    prefixes = resource_prefixes(patterns, variables=True)
    if prefixes is not None:
        if matched:
            assert resource.startswith(prefixes.prefixes)
        if prefixes.decisive:
            assert matched is resource.startswith(prefixes.prefixes)


@settings(max_examples=300, deadline=None)
@given(st.text("ab/*", max_size=5), st.text("ab/", max_size=5), st.text("ab/*", max_size=4), contexts)
def test_one_variable_resource_matches_like_the_substituted_glob(before, after, text, ctx):
    pattern = f"arn:aws:s3:::{before}${{aws:username}}{after}"
    missing: list[str] = []
    got = compile_resources([pattern], variables=True)(f"arn:aws:s3:::{text}", ctx, missing)
    value = ctx.get("aws:username")
    if value is None:
        assert got is False and missing == ["aws:username"]  # reported once the head matched
    else:
        assert got is naive_glob(before + value.replace("*", "\0") + after, text.replace("*", "\0"))
        assert missing == []


def test_escaped_wildcards_in_exact_and_prefix_arns_are_literal():
    exact = compile_resources(["arn:aws:s3:::a${*}b"], variables=True)
    assert exact("arn:aws:s3:::a*b", {}, None) is True
    assert exact("arn:aws:s3:::axb", {}, None) is False
    prefix = compile_resources(["arn:aws:s3:::a${?}/*"], variables=True)
    assert prefix("arn:aws:s3:::a?/x", {}, None) is True
    assert prefix("arn:aws:s3:::ab/x", {}, None) is False


def test_a_missing_variable_is_reported_only_when_the_arn_head_matches():
    matcher = compile_resources(["arn:aws:s3:::home/${aws:username}/*"], variables=True)
    missing: list[str] = []
    assert matcher("arn:aws:sqs:us-east-1:111111111111:q", {}, missing) is False
    assert missing == []
    assert matcher("arn:aws:s3:::elsewhere/x", {}, missing) is False
    assert missing == ["aws:username"]


# --- conditions ---------------------------------------------------------------------------

FAST_OPERATORS = [
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "Bool",
    "StringEqualsIfExists",
    "StringNotLikeIfExists",
]
VALUES = st.lists(
    st.sampled_from(["a", "A", "a*", "*", "?b", "?a*", "a*b", "a*b*", "true", "FALSE", "${aws:username}", "${*}", ""]),
    min_size=1,
    max_size=3,
)
VALUE = st.sampled_from(["a", "A", "ab", "a*", "*", "xb", "true", "True", "false", "", "${*}"])
condition_contexts = st.one_of(
    st.just({}),
    st.builds(lambda v: {"k": v}, VALUE),
    st.builds(lambda v, u: {"k": v, "aws:username": u}, VALUE, VALUE),
    st.builds(lambda vs: {"k": tuple(vs)}, st.lists(VALUE, max_size=2)),
)


def reference_holds(operator: str, values: tuple[str, ...], ctx: dict, missing: list[str]) -> bool:
    """compiled.py's general rule for a condition without a set qualifier, on `build`'s matcher."""
    parsed = parse_operator(operator)
    op = parsed.operator
    match = op.build(values, op.allows_variables)
    value = ctx.get("k")
    if value is None:
        missing.append("k")
        return parsed.if_exists or op.negated
    if type(value) is not str:
        return False
    result = match(value, ctx, missing)
    return result in (NO_MATCH, UNRESOLVED) if op.negated else result == MATCH


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(FAST_OPERATORS), VALUES, condition_contexts)
def test_condition_shortcuts_agree_with_the_general_matcher(operator, values, ctx):
    fast_missing: list[str] = []
    reference_missing: list[str] = []
    holds = compile_condition(operator, "K", tuple(values), variables=True)
    assert holds(ctx, fast_missing) is reference_holds(operator, tuple(values), ctx, reference_missing)
    assert fast_missing == reference_missing


# --- the index ----------------------------------------------------------------------------

STATEMENT_RESOURCES = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:*:s3:::bucket/*",
    "arn:a*:s3:::bucket/*",  # a `*` ending the partition may run past colons: no service filter
    "arn:aws:sqs:*:111111111111:q",
]
REQUEST_RESOURCES = ["*", "arn:aws:s3:::bucket/a", "arn:aws:sqs:eu-west-1:111111111111:q", "arn:aws:s3x:::bucket/a",
                     "garbage", "arn:aws:s3:::bucket/alice/x", "arn:aws:x:s3:::bucket/a"]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.booleans(), st.lists(st.sampled_from(STATEMENT_RESOURCES), min_size=1, max_size=2)),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(REQUEST_RESOURCES),
)
def test_the_index_drops_only_statements_that_cannot_match(statements, resource):
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", ("NotResource" if negated else "Resource"): patterns}
            for negated, patterns in statements
        ],
    }
    index = PolicyIndex([compile_policy(json.dumps(document), policy_id="p", policy_type=PolicyType.IDENTITY)])
    parts = resource.split(":", 5)
    service = parts[2] if len(parts) == 6 and parts[0] == "arn" else None
    kept = [st_ for st_, _prefixes, _matcher in index.applicable("s3", "s3:getobject", resource, service)]
    ctx = {"aws:username": "alice"}
    for statement in index.matching_action("s3", "s3:getobject"):
        if resource == "*":
            could_match = statement.matches_resource is None or statement.resource_star
        else:
            could_match = statement.matches_resource(resource, ctx, None)
        if could_match:
            assert statement in kept
    # Document order is kept, so explanations list statements as their authors wrote them.
    order = [st_.ref.index for st_ in kept]
    assert order == sorted(order)


# --- check groups -------------------------------------------------------------------------

POOL = [  # statements that repeat across policies, so that many share every check
    {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::shared/${aws:username}/*"},
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "red"}}},
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}},
    {"Effect": "Deny", "NotAction": "s3:List*", "Resource": "arn:aws:s3:::archive/*"},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared/*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::secret/*"},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/a?c"},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
]  # fmt: skip
POOL_RESOURCES = ["*", "arn:aws:s3:::shared/alice/x", "arn:aws:s3:::shared/abc", "arn:aws:s3:::archive/1",
                  "arn:aws:s3:::secret/k", "arn:aws:sqs:us-east-1:111111111111:q", "not-an-arn"]  # fmt: skip
POOL_CONTEXTS = [
    {},
    {"aws:username": "alice", "aws:principaltag/team": "red", "aws:requestedregion": "us-east-1"},
    {"aws:username": "alice", "aws:requestedregion": "eu-west-1", "aws:securetransport": "false"},
]


# As a bucket policy: who the statements name (shared matchers for `*`, one each otherwise).
POOL_PRINCIPALS = [
    {"Principal": "*"},
    {"Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"}},
    {"Principal": {"AWS": "111111111111"}},
    {"Principal": {"AWS": "arn:aws:iam::222222222222:root"}},
    {"NotPrincipal": {"AWS": "arn:aws:iam::111111111111:user/bob"}},
]


def statement_by_statement(index, resource, ctx, caller, missing, deny_not_principal_always):
    """The analysis without check groups: every applicable statement checked on its own."""
    allows, denies = [], []
    service = resource.split(":", 5)[2] if resource.startswith("arn:") and resource.count(":") >= 5 else None
    for st_, prefixes, matcher in index.applicable("s3", "s3:getobject", resource, service):
        if prefixes is not None and not resource.startswith(prefixes):
            continue
        if matcher is not None and not matcher(resource, ctx, missing):
            continue
        rank = EXACT
        if st_.principal_rank is not None:
            rank = st_.principal_rank(caller)
            if rank == NO_MATCH_RANK:
                if not (deny_not_principal_always and st_.is_not_principal and not st_.is_allow):
                    continue
                rank = EVERYONE
        if all(holds(ctx, missing) for holds in st_.conditions):
            (allows if st_.is_allow else denies).append((st_.ref, rank))
    return allows, denies


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(range(len(POOL))), min_size=1, max_size=4), min_size=1, max_size=6),
    st.sampled_from(POOL_RESOURCES),
    st.sampled_from(POOL_CONTEXTS),
    st.booleans(),
    st.none() | st.lists(st.sampled_from(range(len(POOL_PRINCIPALS))), min_size=24, max_size=24),
    st.booleans(),
)
def test_statements_with_the_same_checks_are_checked_once_and_listed_in_document_order(
    policies, resource, ctx, repeat_a_policy, principals, deny_not_principal_always
):
    from iamd.service.policy.evaluate import analyze
    from iamd.service.policy.principals import classify_caller

    def statement(n: int, i: int) -> dict:
        if principals is None:  # identity policies
            return POOL[i]
        return {**POOL[i], **POOL_PRINCIPALS[principals[n % len(principals)]]}

    policy_type = PolicyType.IDENTITY if principals is None else PolicyType.RESOURCE
    compiled = [
        compile_policy(json.dumps({"Version": "2012-10-17",
                                   "Statement": [statement(n * 4 + k, i) for k, i in enumerate(picks)]}),
                       policy_id=f"p{n}", policy_type=policy_type)
        for n, picks in enumerate(policies)
    ]  # fmt: skip
    if repeat_a_policy:  # the same compiled policy twice in one index: its statements are listed twice
        compiled.append(compiled[0])
    index = PolicyIndex(compiled)
    caller = classify_caller("arn:aws:iam::111111111111:user/alice", {})
    missing: list[str] = []
    expected_missing: list[str] = []
    expected_allows, expected_denies = statement_by_statement(
        index, resource, ctx, caller, expected_missing, deny_not_principal_always
    )
    service = resource.split(":", 5)[2] if resource.startswith("arn:") and resource.count(":") >= 5 else None
    got = analyze(index, "s3", "s3:getobject", resource, service, ctx, caller, missing,
                  deny_not_principal_always=deny_not_principal_always)  # fmt: skip
    assert [(st_.ref, rank) for st_, rank in got.allows] == expected_allows
    assert [(st_.ref, rank) for st_, rank in got.denies] == expected_denies
    assert set(missing) == set(expected_missing)
    if got.allow_refs is not None:  # made with the plan (one group applying alone): the same refs
        assert list(got.allow_refs) == [ref for ref, _ in expected_allows]
