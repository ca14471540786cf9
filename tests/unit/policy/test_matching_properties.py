"""The resource matcher against the glob-regex semantics AWS documents, on random ARNs and patterns.

The matcher has no regex: it splits an ARN into its parts and matches each by its shape (exact,
`*`, `prefix*`, `*suffix`, pieces). The reference here is the regex the IAM User Guide describes
("IAM JSON policy elements: Resource"): ARNs are case-sensitive; in the partition, service,
region and account parts `*` and `?` stay within their part, except that a `*` ending a part
"can expand to match beyond the colon boundaries"; in the resource part `*` and `?` match any
character, `/` and `:` included. Policy variables are substituted before matching, and their
values are literal text.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from iamd.service.policy.matching import compile_resources

# Few characters, so that random patterns and ARNs often meet; `A`/`a` for case, `:` and `/`
# for the separators wildcards do or do not cross.
HEAD_CHARS = "aAb-1*?"
RESOURCE_CHARS = "aAb/:-1*?"
TEXT_CHARS = "aAb/:-1"


def reference_regex(pattern: str) -> re.Pattern[str] | None:
    """The documented semantics of one Resource pattern, as a regex (None: not an ARN)."""
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    head: list[str] = []
    for part in parts[:5]:
        out = []
        for i, ch in enumerate(part):
            if ch == "*":
                out.append(".*" if i == len(part) - 1 else "[^:]*")  # a trailing `*` spans colons
            elif ch == "?":
                out.append("[^:]")
            else:
                out.append(re.escape(ch))
        head.append("".join(out))
    resource = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in parts[5])
    return re.compile(":".join(head) + ":" + resource, re.DOTALL)


def reference_matches(patterns: list[str], resource: str) -> bool:
    if "*" in patterns:
        return True
    return any(
        regex is not None and regex.fullmatch(resource) is not None
        for regex in map(reference_regex, patterns)
    )


head_parts = st.lists(st.text(HEAD_CHARS, max_size=4), min_size=4, max_size=4)
resource_parts = st.text(RESOURCE_CHARS, max_size=8)


@st.composite
def arn_patterns(draw: st.DrawFn, parts: st.SearchStrategy[list[str]] = head_parts) -> str:
    return "arn:" + ":".join(draw(parts)) + ":" + draw(resource_parts)


@st.composite
def instances(draw: st.DrawFn, pattern: str) -> str:
    """An ARN the pattern may well match: each wildcard replaced by random text, colons included
    (so a spanning `*` is sometimes needed), and sometimes a character changed."""
    out = []
    for ch in pattern:
        if ch == "*":
            out.append(draw(st.text(TEXT_CHARS, max_size=4)))
        elif ch == "?":
            out.append(draw(st.sampled_from(TEXT_CHARS)))
        else:
            out.append(ch)
    text = "".join(out)
    if text and draw(st.booleans()) and draw(st.booleans()):
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from(TEXT_CHARS)) + text[at + 1 :]
    return text


@st.composite
def patterns_and_resource(draw: st.DrawFn) -> tuple[list[str], str]:
    patterns = draw(st.lists(arn_patterns(), min_size=1, max_size=3))
    if draw(st.booleans()):
        resource = draw(instances(draw(st.sampled_from(patterns))))
    else:
        resource = "arn:" + draw(st.text(TEXT_CHARS, max_size=16))
    return patterns, resource


@settings(max_examples=600, deadline=None)
@given(patterns_and_resource(), st.booleans())
@example((["arn:aws:sqs:*:123456789012:queue-*"], "arn:aws:sqs:us-east-1:123456789012:queue-1"), False)
@example((["arn:aws:sqs:*:123456789012:queue-*"], "arn:aws:sqs:a:b:123456789012:queue-1"), False)  # `*` spans
@example((["arn:aws:sqs:u*1:1:q"], "arn:aws:sqs:u:x:1:1:q"), False)  # an inner `*` does not
@example((["arn:aws:s3:::bucket-*/*"], "arn:aws:s3:::bucket-a/b:c"), False)
@example((["arn:aws:s3:::Bucket/*"], "arn:aws:s3:::bucket/x"), False)  # case-sensitive
@example((["arn:*:s3:::b"], "arn:aws:x:s3:::b"), False)
@example((["arn:a*:b*:c*:d*:e"], "arn:a:1:b:2:c:3:d:4:e"), False)
@example((["arn:a?::::x"], "arn:a:::::x"), False)  # `?` in a part is not a colon
def test_static_patterns_match_as_the_documented_regex(case, variables):
    patterns, resource = case
    matcher = compile_resources(patterns, variables=variables)
    assert matcher(resource, {}, None) is reference_matches(patterns, resource)


# Patterns with a variable in the resource part. The head's wildcards stay within their parts
# here (an inner `*` or a `?`, no trailing `*`): then the documented regex and the matcher, which
# takes the resource part after the fifth colon, agree by construction of the ARN.
non_spanning_head = st.lists(
    st.text(HEAD_CHARS, max_size=4).filter(lambda part: not part.endswith("*")), min_size=4, max_size=4
)
VALUES = st.text("aAb/:-1*?", min_size=0, max_size=4)


@st.composite
def variable_cases(draw: st.DrawFn) -> tuple[str, str, str, str]:
    head = draw(non_spanning_head)
    before, after = draw(resource_parts), draw(resource_parts)
    value = draw(VALUES)
    pattern = "arn:" + ":".join(head) + ":" + before + "${aws:username}" + after
    # A value is literal text: the reference escapes its `*` and `?` as `${*}` and `${?}` do.
    resolved = "arn:" + ":".join(head) + ":" + before + "\0" + after
    if draw(st.booleans()):
        resource = draw(instances("arn:" + ":".join(head) + ":" + before)) + value + draw(instances(after))
    else:
        resource = "arn:" + draw(st.text(TEXT_CHARS, max_size=16))
    return pattern, resolved, value, resource


def _resolved_regex(resolved: str, value: str) -> re.Pattern[str]:
    regex = reference_regex(resolved)
    assert regex is not None
    return re.compile(regex.pattern.replace(re.escape("\0"), re.escape(value)), re.DOTALL)


@settings(max_examples=400, deadline=None)
@given(variable_cases())
@example(("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/\0/*", "alice", "arn:aws:s3:::home/alice/x"))
@example(("arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/\0/*", "*", "arn:aws:s3:::home/bob/x"))
@example(("arn:aws:s?s:u*1::${aws:username}", "arn:aws:s?s:u*1::\0", "a:b", "arn:aws:sqs:us-1::a:b"))
def test_variables_are_resolved_before_matching(case):
    pattern, resolved, value, resource = case
    matcher = compile_resources([pattern], variables=True)
    expected = _resolved_regex(resolved, value).fullmatch(resource) is not None
    assert matcher(resource, {"aws:username": value}, None) is expected
    # Without a value the pattern matches nothing, and the key is reported once its head matches.
    missing: list[str] = []
    assert matcher(resource, {}, missing) is False
    assert missing in ([], ["aws:username"])


@given(patterns_and_resource())
@settings(max_examples=200, deadline=None)
def test_a_2008_document_keeps_dollar_braces_literal(case):
    patterns, resource = case
    literal = [p + "${x}" for p in patterns]
    assert compile_resources(literal, variables=False)(resource + "${x}", {}, None) is reference_matches(
        literal, resource + "${x}"
    )
