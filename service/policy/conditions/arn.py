"""ARN condition operators: ArnEquals, ArnLike, ArnNotEquals, ArnNotLike.

AWS checks each of the six colon-delimited parts separately and case-sensitively; every part may
hold `*` and `?`, so ArnEquals and ArnLike behave alike. A wildcard in the first five parts
stays within its part; in the resource part it spans anything. Values may hold policy
variables. A request value that is not an ARN never satisfies these operators.
"""

from __future__ import annotations

import re

from ..variables import TemplateGlob, has_vars, parse_template
from ..wildcard import regex_of_tokens
from .base import MATCH, NO_MATCH, UNKNOWN, UNRESOLVED, ConditionOperator, Context, ValueMatcher


def split_arn(text: str) -> list[str] | None:
    """The six parts of an ARN (the resource part keeps its colons), or None."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


def split_arn_template(text: str, variables: bool) -> list[str] | None:
    """`split_arn` for a policy's value: a colon inside `${...}` does not end a part.

    `arn:aws:iam::${aws:PrincipalAccount}:user/*` has its variable in the account part; AWS
    substitutes it there (IAM User Guide, "IAM policy elements: Variables and tags").
    """
    if not variables or "${" not in text:
        return split_arn(text)
    parts: list[str] = []
    start = i = 0
    while i < len(text) and len(parts) < 5:
        if text.startswith("${", i):
            close = text.find("}", i + 2)
            if close < 0:
                return split_arn(text)  # the unclosed variable is reported where it is parsed
            i = close + 1
            continue
        if text[i] == ":":
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


def check_arn(text: str) -> str | None:
    if text != "*" and split_arn(text) is None:
        return f"`{text}` is not an ARN (arn:partition:service:region:account-id:resource)"
    return None


def build_arn(values: tuple[str, ...], variables: bool) -> ValueMatcher:
    static: list[str] = []
    dynamic: list[list[TemplateGlob]] = []
    match_all = False
    for value in values:
        if value == "*":
            match_all = True
            continue
        parts = split_arn_template(value, variables)
        if parts is None:
            continue  # rejected at write time; never matches
        templates = [parse_template(p, variables=variables, wildcards=True) for p in parts]
        if any(has_vars(t) for t in templates):
            dynamic.append([TemplateGlob(t) for t in templates])
        else:
            segments = [regex_of_tokens(t, star="[^:]*", qmark="[^:]") for t in templates[:5]]
            segments.append(regex_of_tokens(templates[5]))
            static.append("(?:" + ":".join(segments) + ")")
    fullmatch = re.compile("|".join(static), re.DOTALL).fullmatch if static else None

    def match(rv: str, ctx: Context, missing: list[str] | None) -> int:
        request_parts = split_arn(rv)
        if request_parts is None:
            return UNKNOWN
        if match_all or (fullmatch is not None and fullmatch(rv) is not None):
            return MATCH
        unresolved = False
        for templates in dynamic:
            for template, part in zip(templates, request_parts):
                matched = template.match(part, ctx, missing)
                if matched is None:
                    unresolved = True
                    break
                if not matched:
                    break
            else:
                return MATCH
        return UNRESOLVED if unresolved else NO_MATCH

    return match


OPERATORS = (
    ConditionOperator("ArnEquals", "Arn", False, True, True, check_arn, build_arn),
    ConditionOperator("ArnLike", "Arn", False, True, True, check_arn, build_arn),
    ConditionOperator("ArnNotEquals", "Arn", True, True, True, check_arn, build_arn),
    ConditionOperator("ArnNotLike", "Arn", True, True, True, check_arn, build_arn),
)
